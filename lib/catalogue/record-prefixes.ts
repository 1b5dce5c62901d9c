/**
 * Owner-name prefixes the platform puts in front of every group domain (besides DKIM's
 * `<selector>._domainkey.`). The model checks that each domain leaves room for the longest.
 */
export const DOMAIN_RECORD_PREFIXES: readonly string[] = [
  "_submissions._tcp.",
  "_submission._tcp.",
  "_imaps._tcp.",
  "_pop3s._tcp.",
  "_imap._tcp.",
  "_pop3._tcp.",
  "_carddavs._tcp.",
  "_caldavs._tcp.",
  "_carddav._tcp.",
  "_caldav._tcp.",
  "_smtp._tls.",
  "_mta-sts.",
  "_dmarc.",
  "mta-sts.",
  "autodiscover.",
  "autoconfig.",
];
