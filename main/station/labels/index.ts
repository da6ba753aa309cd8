/** Labels for passing runs: ZPL II text, sent to a raw-TCP network printer or written to a file. */
export { labelQrData, shortFingerprint, zplEscape, zplLabel, zplUnescape, type LabelOptions, type LabelQrData } from './zpl';
export { DEFAULT_PRINTER_PORT, labelBytes, labelSha256, parsePrinterTarget, sendToPrinter, writeLabelFile, type PrinterTarget, type SendOptions } from './printer';
export { printAudited, type LabelPrintAudit, type LabelPrintStart } from './audit';
