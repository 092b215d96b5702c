import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildShop } from '../examples/gcp/main';

/* The Google Cloud example app is a test too: it synthesizes offline with its escape hatch applied. */

describe('examples/gcp/main.ts', () => {
  test('writes stacks/shop/cdk.tf.json with the GCS backend, the provider and the enlarged 1K data disk', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-example-'));
    try {
      buildShop('my-shop-test', outdir).app.synth();
      const config = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'shop', 'cdk.tf.json'), 'utf8'));
      expect(config.terraform.backend.gcs).toEqual({ bucket: 'my-shop-test-tfstate', prefix: 'shop' });
      expect(config.provider.google[0]).toMatchObject({ project: 'my-shop-test', region: 'europe-west1' });
      const disks = Object.values<any>(config.resource.google_compute_disk);
      expect(disks.some(d => d.size === 50 && d.lifecycle?.prevent_destroy === true)).toBe(true);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
