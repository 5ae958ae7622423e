// The relay's FAPIAO_FILE_MAX_BYTES (src/relay/invoices/fapiao.ts is outside the console's zone;
// test/e2e/console-manage.e2e.test.ts holds the two equal).
export const FAPIAO_FILE_MAX_BYTES = 1024 * 1024
export const FAPIAO_FILE_MAX_TEXT = '1 MB'
