import { ScriptVariable } from '../../core/data-moves/script-variable';

/*
 * The Google Cloud credential rotation, as the bash script the rotation job runs (in the Google
 * Cloud CLI image; docs/credentials.md). Internal: not exported from the package.
 *
 * One (instance, secret) pair at a time, in order:
 *   1. read the secret's latest value (the password the instance has now);
 *   2. generate a new password (32 letters and digits);
 *   3. `gcloud sql users set-password` on the instance, which waits for the Cloud SQL operation
 *      ("--async: Return immediately, without waiting for the operation in progress to complete",
 *      gcloud reference, `gcloud sql users set-password`: without it, the command waits);
 *   4. `gcloud secrets versions add` with the new password, retried.
 * If step 3 fails, the secret is not touched, the old password is set again (in case the failed
 * command's operation still completes: Cloud SQL runs an instance's operations in order) and the
 * run stops. If step 4 fails every time, the secret is read again: if it holds the new password
 * after all, the pair is done; otherwise the instance gets back the value the secret holds and
 * the run stops (if the secret cannot be read back, the run stops with exit 3 and restores
 * nothing, since the secret may hold either value). Either way every pair not yet reached keeps its old, still valid password and
 * secret, and no pair starts before the previous one is complete. Before `NOT_BEFORE` (the first
 * apply plus 30 days, as AWS waits 30 days for the first rotation) a run changes nothing.
 */

/** The default image: the Google Cloud CLI, from Artifact Registry. */
export const CREDENTIAL_ROTATION_IMAGE = 'gcr.io/google.com/cloudsdktool/google-cloud-cli:stable';
/** The default schedule (unix-cron, UTC): monthly, at 05:00 on the 1st. */
export const CREDENTIAL_ROTATION_SCHEDULE = '0 5 1 * *';
/** Days from the first deploy before the first rotation (AWS's first rotation also waits 30 days). */
export const CREDENTIAL_ROTATION_FIRST_RUN_AFTER_DAYS = 30;
/** What the rotation service account may do on each of its instances (a custom role, granted per instance). */
export const CREDENTIAL_ROTATION_SQL_PERMISSIONS: readonly string[] = ['cloudsql.instances.get', 'cloudsql.users.update'];

/** The environment `CREDENTIAL_ROTATION_SCRIPT` reads. */
export const CREDENTIAL_ROTATION_VARIABLES: readonly ScriptVariable[] = [
  { name: 'ROTATION_PAIRS', required: true, secret: false, description: 'Space-separated `instance=secret` pairs, rotated in this order: a Cloud SQL instance id and the Secret Manager secret (id or resource name) that holds its password.' },
  { name: 'DATABASE_USER', required: false, secret: false, defaultValue: 'app', description: 'The PostgreSQL user whose password rotates on every instance.' },
  { name: 'PROJECT', required: false, secret: false, description: 'Project of the instances and secrets (gcloud --project); else gcloud\'s default (on Cloud Run, the job\'s project).' },
  { name: 'NOT_BEFORE', required: false, secret: false, description: 'An RFC 3339 time (the job has the first apply plus 30 days): before it, a run changes nothing and exits 0. Empty: no wait (a run by hand: `--update-env-vars NOT_BEFORE=`).' },
  { name: 'ADD_ATTEMPTS', required: false, secret: false, defaultValue: '5', description: 'How many times `gcloud secrets versions add` is tried per pair.' },
  { name: 'RETRY_SECONDS', required: false, secret: false, defaultValue: '5', description: 'Pause between tries (doubled after each).' },
];

/** Exit codes of `CREDENTIAL_ROTATION_SCRIPT`. */
export const CREDENTIAL_ROTATION_EXIT_CODES = {
  /** Every pair rotated. */
  done: 0,
  /** A pair failed and was put back (or could not be read); the pairs after it were not touched. */
  failed: 1,
  /** ROTATION_PAIRS is missing or malformed, or gcloud is not installed; nothing changed. */
  badUsage: 2,
  /** Setting the old password back failed, or the secret could not be read back: that instance's password may differ from its secret (the log says which and gives the command that fixes it). */
  restoreFailed: 3,
} as const;

/** The script (bash). Reads `CREDENTIAL_ROTATION_VARIABLES`; exits with `CREDENTIAL_ROTATION_EXIT_CODES`. */
export const CREDENTIAL_ROTATION_SCRIPT = `#!/usr/bin/env bash
# scale-ladder credential rotation: one (Cloud SQL instance, Secret Manager secret) pair at a time.
set -uo pipefail
log() { echo "credential-rotation: $*"; }
# gcloud writes each command's arguments to its log files; never let a password reach them.
export CLOUDSDK_CORE_DISABLE_FILE_LOGGING=true CLOUDSDK_CORE_DISABLE_PROMPTS=1
command -v gcloud >/dev/null 2>&1 || { log "gcloud is not installed; nothing changed"; exit 2; }
pairs=\${ROTATION_PAIRS:-}
user=\${DATABASE_USER:-app}
attempts=\${ADD_ATTEMPTS:-5}
pause=\${RETRY_SECONDS:-5}
[[ "$attempts" =~ ^[1-9][0-9]?$ ]] || { log "ADD_ATTEMPTS must be 1-99, got '$attempts'; nothing changed"; exit 2; }
[[ "$pause" =~ ^[0-9]{1,3}$ ]] || { log "RETRY_SECONDS must be 0-999, got '$pause'; nothing changed"; exit 2; }
[ -n "$pairs" ] || { log "ROTATION_PAIRS is empty (instance=secret pairs); nothing changed"; exit 2; }
for pair in $pairs; do
  [[ "$pair" =~ ^[a-z][a-z0-9-]*=[A-Za-z0-9/_-]+$ ]] || { log "ROTATION_PAIRS entry '$pair' is not instance=secret; nothing changed"; exit 2; }
done
project=()
[ -z "\${PROJECT:-}" ] || project=(--project="$PROJECT")
if [ -n "\${NOT_BEFORE:-}" ]; then
  rfc3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'
  [[ "$NOT_BEFORE" =~ $rfc3339 ]] && not_before=$(date -u -d "$NOT_BEFORE" +%s 2>/dev/null) || { log "NOT_BEFORE must be an RFC 3339 time, got '$NOT_BEFORE'; nothing changed"; exit 2; }
  if [ "$(date -u +%s)" -lt "$not_before" ]; then
    log "the first rotation is due at $NOT_BEFORE; nothing changed (run by hand with NOT_BEFORE= to rotate now)"
    exit 0
  fi
fi

new_password() {
  local raw
  raw=$(head -c 4096 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')
  [ "\${#raw}" -ge 32 ] || return 1
  printf '%s' "\${raw:0:32}"
}
secret_value() { gcloud secrets versions access latest --secret="$1" "\${project[@]}"; }
set_password() { gcloud sql users set-password "$user" --instance="$1" --password="$2" "\${project[@]}" >/dev/null; }
add_version() { printf '%s' "$2" | gcloud secrets versions add "$1" --data-file=- "\${project[@]}" >/dev/null; }
# The command that sets the secret's value on the instance (for a person, after exit 3).
fix_command() { printf '%s' "p=\\$(gcloud secrets versions access latest --secret=$secret) && gcloud sql users set-password $user --instance=$instance --password=\\"\\$p\\""; }
restore() {
  local instance=$1 value=$2 i
  for i in 1 2 3; do
    if set_password "$instance" "$value"; then return 0; fi
    sleep "$pause"
  done
  return 1
}

rotated=0
for pair in $pairs; do
  instance=\${pair%%=*}
  secret=\${pair#*=}
  if ! old=$(secret_value "$secret") || [ -z "$old" ]; then
    log "$instance: cannot read secret $secret; nothing changed on it or on the pairs after it ($rotated rotated before)"
    exit 1
  fi
  new=$(new_password) || { log "cannot generate a password; stopped ($rotated rotated before)"; exit 1; }
  log "$instance: setting a new password for $user"
  if ! set_password "$instance" "$new"; then
    log "$instance: set-password failed; secret $secret unchanged. Setting its current value again, in case the failed operation still completes"
    if ! restore "$instance" "$old"; then
      log "$instance: RESTORE FAILED: if the failed operation completed, the instance has a password no secret holds. Set the secret's value on it by hand: $(fix_command)"
      exit 3
    fi
    exit 1
  fi
  added=no
  wait_s=$pause
  for ((i = 1; i <= attempts; i++)); do
    if add_version "$secret" "$new"; then added=yes; break; fi
    log "$instance: adding a version to $secret failed (try $i of $attempts)"
    if [ "$i" -lt "$attempts" ]; then sleep "$wait_s"; wait_s=$((wait_s * 2)); fi
  done
  if [ "$added" = no ]; then
    # The last try may have landed though it reported an error: go by what the secret holds,
    # and never restore without knowing it (restoring the old value under a secret that took
    # the new one would leave them apart).
    holds=
    for i in 1 2 3; do
      if holds=$(secret_value "$secret") && [ -n "$holds" ]; then break; fi
      holds=
      sleep "$pause"
    done
    if [ -z "$holds" ]; then
      log "$instance: CANNOT READ secret $secret after adding to it failed: the instance has the new password and the secret may or may not. Once the secret can be read, set its value on the instance: $(fix_command)"
      exit 3
    fi
    [ "$holds" != "$new" ] || added=yes
  fi
  if [ "$added" = no ]; then
    log "$instance: secret $secret still holds the old password; setting it on the instance again"
    if ! restore "$instance" "$holds"; then
      log "$instance: RESTORE FAILED: the instance has a password its secret does not hold. Set it by hand: $(fix_command)"
      exit 3
    fi
    log "$instance: password restored; stopped ($rotated rotated before, the rest untouched)"
    exit 1
  fi
  rotated=$((rotated + 1))
  log "$instance: rotated (new version of $secret)"
done
log "done: $rotated rotated"
`;
