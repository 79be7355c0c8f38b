//! The ledger import (导入台账) up to the point of writing: the file read as a table, its header
//! row and columns recognised, every row checked against the jurisdiction's units and code
//! lists — for the 导入台账 page and `huajie import`; and the template with the current code
//! lists. Writing is one store call ([`huajie_store::Store::import_ledger`]).

use huajie_domain::access::Actor;
use huajie_domain::codes::CodeList;
use huajie_domain::import::{ImportRow, RowError, detect_columns, parse_rows};
use huajie_domain::outcome::OutcomeCode;
use huajie_domain::proceeding::{ProceedingKind, ProceedingStatus};
use huajie_store::Store;

use crate::{Result, ServiceError};

/// A ledger file checked row by row.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The header row (0-based).
    pub header_row: usize,
    /// Each recognised heading with the field it fills.
    pub mapped: Vec<(String, &'static str)>,
    /// Headings that matched nothing.
    pub ignored: Vec<String>,
    pub rows: Vec<ImportRow>,
    /// Every problem of every row (nothing is imported while there is one).
    pub errors: Vec<RowError>,
}

impl Checked {
    /// The rows with at least one problem.
    pub fn bad_lines(&self) -> usize {
        self.errors
            .iter()
            .map(|e| e.line)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }
}

/// Reads and checks a ledger file (`filename` says its type). A file that is not a readable
/// table, or has no recognisable header row, is [`ServiceError::Invalid`] with the reason.
pub async fn check(store: &Store, actor: &Actor, bytes: &[u8], filename: &str) -> Result<Checked> {
    let cells = huajie_office::import::read_table(bytes, filename)
        .map_err(|e| ServiceError::Invalid(e.0))?;
    let map = detect_columns(&cells).map_err(ServiceError::Invalid)?;
    let lookup = store.import_lookup(actor).await?;
    let (rows, errors) = parse_rows(&cells, &map, &lookup);
    Ok(Checked {
        header_row: map.header_row,
        mapped: map.describe(&cells[map.header_row]),
        ignored: map.ignored.clone(),
        rows,
        errors,
    })
}

/// The import template (.xlsx) with dropdowns from the current code lists.
pub async fn template(store: &Store) -> Result<Vec<u8>> {
    let labels = |list: Vec<huajie_domain::records::CodeItem>| -> Vec<String> {
        list.into_iter()
            .filter(|c| c.active)
            .map(|c| c.label)
            .collect()
    };
    let lists = huajie_office::import::TemplateLists {
        kinds: ProceedingKind::ALL
            .iter()
            .map(|k| k.label().to_string())
            .collect(),
        domains: labels(store.codes(CodeList::Domain).await?),
        act_types: labels(store.codes(CodeList::ActType).await?),
        statuses: ProceedingStatus::ALL
            .iter()
            .map(|k| k.label().to_string())
            .collect(),
        claimant_kinds: vec!["公民".into(), "法人或其他组织".into()],
        outcomes: OutcomeCode::ALL
            .iter()
            .map(|o| o.label().to_string())
            .collect(),
    };
    huajie_office::import::template(&lists).map_err(|e| ServiceError::Office(e.0))
}
