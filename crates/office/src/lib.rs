//! Office files: Excel workbooks out (ledger views, statistics tables, the import template) and
//! in (existing ledgers), and Word reports (the quarterly circular). Bytes in, bytes out: the
//! callers do the file and network I/O.

pub mod docx;
pub mod import;
pub mod loss_report;
pub mod reports;
pub mod text;
pub mod xlsx;

/// A file could not be produced or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeError(pub String);

impl std::fmt::Display for OfficeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OfficeError {}

impl From<rust_xlsxwriter::XlsxError> for OfficeError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        OfficeError(format!("生成Excel文件失败：{e}"))
    }
}
