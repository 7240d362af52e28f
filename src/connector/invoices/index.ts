export { checkInvoice, type InvoiceChecks, type InvoiceInput } from './invoice-input';
export { INVOICE_COLUMNS, parseInvoiceCsv, type InvoiceCsvResult } from './invoice-csv';
