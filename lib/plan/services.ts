/**
 * The services table is a static fact and lives in the catalogue (lib/catalogue/services.ts).
 * This re-export remains only for lib/local/instance.ts; delete it once that file imports the
 * table from the catalogue.
 */
export { SERVICES } from "../catalogue/services";
