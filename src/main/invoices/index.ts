// Invoices on the device (发票): the feed's invoices, credit notes and fapiao requests, and PDFs kept locally.
export { InvoiceBook, type InvoiceEntry } from './book'
export { InvoicePdfs, recordingOpener, type FileOpener, type PdfLang } from './pdf-files'
