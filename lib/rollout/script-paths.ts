/** Where the host-side scripts are installed (by the user data; run by rollouts and at boot). */

/** The apply script: stages, validates and swaps in a bundle. */
export const APPLY_SCRIPT_PATH = "/usr/local/sbin/mail-platform-apply";

/** The certificates script: issues every certificate a list names. */
export const CERTIFICATES_SCRIPT_PATH = "/usr/local/sbin/mail-platform-certificates";

/** The users sync: writes Dovecot's passwd-file from the bundle's mailbox list and the hashes in SSM. */
export const USERS_SYNC_SCRIPT_PATH = "/usr/local/sbin/mail-platform-users-sync";

/** The host's AWS client: SSM parameters, the data volume's id, S3 objects (boto3; no AWS CLI on the host). */
export const AWS_CLIENT_PATH = "/usr/local/sbin/mail-platform-aws";

/** The blocklist watch: looks the host's group addresses up in blocklists (a timer runs it). */
export const BLOCKLIST_WATCH_SCRIPT_PATH = "/usr/local/sbin/mail-platform-blocklist-watch";
