//! The service layer of huajie: orchestration that the web pages, the API and the command line
//! share — reading the store, composing office documents, recording what was exported — so it
//! is written once instead of in a web handler and again in an app command. No HTTP and no
//! terminal here: callers turn [`ServiceError`] into a status or an exit code.

pub mod exports;
pub mod imports;
pub mod readings;
pub mod reports;

/// Why a service call did not produce its result.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// From the store: refusal, missing record, conflict, bad input, database.
    #[error(transparent)]
    Store(#[from] huajie_store::StoreError),
    /// The request does not fit (e.g. a half-year report of a quarter); the message is Chinese.
    #[error("{0}")]
    Invalid(String),
    /// An office file could not be written.
    #[error("文件生成失败：{0}")]
    Office(String),
}

pub type Result<T> = std::result::Result<T, ServiceError>;
