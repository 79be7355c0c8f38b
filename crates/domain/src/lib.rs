//! huajie domain model: pure types and rules of the administrative-dispute field.
//!
//! Architecture invariant: this crate does no I/O (no database, no network, no clock,
//! no file system). Every constructor validates its input and reports problems as
//! [`FieldError`]s with a machine code and a Simplified-Chinese message.

pub mod access;
pub mod appearance;
pub mod audit;
pub mod calendar;
pub mod case_no;
pub mod codes;
pub mod deadline;
pub mod document;
pub mod error;
pub mod hearing;
pub mod ical;
pub mod import;
pub mod ledger;
pub mod notify;
pub mod obligation;
pub mod outcome;
pub mod proceeding;
pub mod reading;
pub mod records;
pub mod risk;
pub mod rules;
pub mod stats;
pub mod subject;
pub mod supervision;
pub mod unit;
pub mod user;
pub mod warning;

pub use error::{FieldError, Invalid};
