//! Submit and review (报送—审核): what an obligation requires to be submitted (documents of
//! named kinds and/or fields, defined with its rule), a unit's submission, and the bureau's
//! review — accept (the obligation is met on the submission date) or return with reasons (the
//! clock keeps running; the unit resubmits; every version is kept).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::document::DocumentKind;
use crate::error::{FieldError, Invalid, optional_multiline};
use crate::rules::EventKind;
use crate::unit::labelled_enum;

/// What a rule requires to be submitted to meet its obligation (`[rule.submit]` in a rule file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmitSpec {
    /// Document kinds that must each be attached (e.g. 起诉状副本, 答辩状, 证据清单).
    pub documents: Vec<DocumentKind>,
    /// Fields to fill in, by their Chinese name (e.g. 出庭人员姓名及职务); each required.
    pub fields: Vec<String>,
    /// Whether the 司法局 reviews the submission (false: met on submission, e.g. the bureau's
    /// own forward record).
    pub review: bool,
    /// An event recorded on the proceeding when a submission is accepted, on its submission
    /// date (e.g. 应诉材料报司法局备案, which starts the bureau's forwarding obligation).
    pub on_accept: Option<EventKind>,
}

impl SubmitSpec {
    /// The requirement in words, e.g. "须报送：起诉状（申请书）副本、答辩状（答复书）；须填写：出庭人员".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.documents.is_empty() {
            let kinds: Vec<&str> = self.documents.iter().map(|k| k.label()).collect();
            parts.push(format!("须报送：{}", kinds.join("、")));
        }
        if !self.fields.is_empty() {
            parts.push(format!("须填写：{}", self.fields.join("、")));
        }
        parts.push(if self.review {
            "经司法局审核通过后完成".to_string()
        } else {
            "报送即完成".to_string()
        });
        parts.join("；")
    }
}

/// The `[rule.submit]` table of a rule file, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileSubmit {
    #[serde(default)]
    documents: Vec<String>,
    #[serde(default)]
    fields: Vec<String>,
    review: Option<bool>,
    on_accept: Option<String>,
}

impl FileSubmit {
    pub(crate) fn validate(&self) -> Result<SubmitSpec, String> {
        let documents = self
            .documents
            .iter()
            .map(|d| {
                DocumentKind::from_code(d).ok_or_else(|| {
                    let all: Vec<String> = DocumentKind::ALL
                        .iter()
                        .map(|k| format!("{}（{}）", k.code(), k.label()))
                        .collect();
                    format!("报送文书类别“{d}”无效，可选：{}", all.join("、"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        for f in &self.fields {
            if f.trim().is_empty() || f.chars().count() > 40 || f.chars().any(char::is_control) {
                return Err(format!("报送字段名“{f}”无效（1至40个字符）"));
            }
        }
        if documents.is_empty() && self.fields.is_empty() {
            return Err("submit 须列出 documents（文书）或 fields（字段）".into());
        }
        let on_accept = self
            .on_accept
            .as_deref()
            .map(|e| EventKind::from_code(e).ok_or_else(|| format!("on_accept 事件“{e}”无效")))
            .transpose()?;
        Ok(SubmitSpec {
            documents,
            fields: self.fields.iter().map(|f| f.trim().to_string()).collect(),
            review: self.review.unwrap_or(true),
            on_accept,
        })
    }
}

labelled_enum!(
    /// Where a submission stands.
    SubmissionStatus {
        Submitted = "submitted", "待审核";
        Accepted = "accepted", "已通过";
        Returned = "returned", "已退回";
    } "报送状态"
);

/// A submission as typed (API body or page form): documents already on the proceeding by id
/// (new uploads are added to them by the caller), the fields, a note.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionDraft {
    /// Version of the obligation read before submitting.
    pub version: Option<i64>,
    /// Documents of the proceeding submitted (upload them first).
    #[serde(default)]
    pub document_ids: Vec<i64>,
    /// The required fields, by name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// 报送说明.
    pub note: Option<String>,
}

/// A validated submission: fields as required by the spec, the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionInput {
    pub document_ids: Vec<i64>,
    pub fields: BTreeMap<String, String>,
    pub note: Option<String>,
}

impl SubmissionDraft {
    /// Checks the fields against `spec` (each required, no unknown ones) and the note. The
    /// documents are checked by the store, which knows their kinds.
    pub fn validate(&self, spec: &SubmitSpec) -> Result<SubmissionInput, Invalid> {
        let mut inv = Invalid::default();
        let mut fields = BTreeMap::new();
        for name in &spec.fields {
            let v = self.fields.get(name).map(String::as_str).unwrap_or("");
            match optional_multiline(&format!("fields.{name}"), name, v, 2000) {
                Ok(Some(v)) => {
                    fields.insert(name.clone(), v);
                }
                Ok(None) => inv.push(FieldError::required(format!("fields.{name}"), name)),
                Err(e) => inv.push(e),
            }
        }
        for name in self.fields.keys() {
            if !spec.fields.contains(name) {
                inv.push(FieldError::new(
                    format!("fields.{name}"),
                    "unknown_field",
                    format!("该期限不需要填写“{name}”"),
                ));
            }
        }
        let note = optional_multiline("note", "报送说明", self.note.as_deref().unwrap_or(""), 2000)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        let mut document_ids = self.document_ids.clone();
        document_ids.sort_unstable();
        document_ids.dedup();
        inv.into_result(SubmissionInput {
            document_ids,
            fields,
            note,
        })
    }
}

/// The bureau's review: accept, or return with the reasons.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewDraft {
    /// Version of the submission read before reviewing.
    pub version: Option<i64>,
    /// Why it is returned (required to return; an optional remark to accept).
    pub reason: Option<String>,
}

impl ReviewDraft {
    /// The reasons of a return: required.
    pub fn validate_return(&self) -> Result<String, Invalid> {
        let r = optional_multiline(
            "reason",
            "退回理由",
            self.reason.as_deref().unwrap_or(""),
            2000,
        )?;
        match r {
            Some(r) => Ok(r),
            None => Err(FieldError::required("reason", "退回理由").into()),
        }
    }

    /// The remark of an acceptance: optional.
    pub fn validate_accept(&self) -> Result<Option<String>, Invalid> {
        Ok(optional_multiline(
            "reason",
            "审核意见",
            self.reason.as_deref().unwrap_or(""),
            2000,
        )?)
    }
}

/// Checks that the submitted documents' kinds cover what the spec requires; `kinds` are the
/// kinds of the documents submitted.
pub fn check_documents(spec: &SubmitSpec, kinds: &[DocumentKind]) -> Result<(), Invalid> {
    let missing: Vec<&str> = spec
        .documents
        .iter()
        .filter(|k| !kinds.contains(k))
        .map(|k| k.label())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(FieldError::new(
            "document_ids",
            "documents_missing",
            format!("还缺少以下文书：{}", missing.join("、")),
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> SubmitSpec {
        FileSubmit {
            documents: vec!["complaint".into(), "answer".into()],
            fields: vec!["出庭人员".into()],
            review: None,
            on_accept: Some("materials_filed".into()),
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn spec_from_file_and_words() {
        let s = spec();
        assert!(s.review);
        assert_eq!(s.on_accept, Some(EventKind::MaterialsFiled));
        assert_eq!(
            s.describe(),
            "须报送：起诉状（申请书）副本、答辩状（答复书）；须填写：出庭人员；经司法局审核通过后完成"
        );
        let bad = FileSubmit {
            documents: vec!["memo".into()],
            ..FileSubmit::default()
        };
        assert!(bad.validate().unwrap_err().contains("memo"));
        assert!(FileSubmit::default().validate().is_err());
    }

    #[test]
    fn drafts_are_checked_against_the_spec() {
        let s = spec();
        let d = SubmissionDraft {
            fields: BTreeMap::from([("其他".to_string(), "x".to_string())]),
            ..SubmissionDraft::default()
        };
        let e = d.validate(&s).unwrap_err();
        let codes: Vec<&str> = e.0.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["required", "unknown_field"]);
        let ok = SubmissionDraft {
            document_ids: vec![3, 1, 3],
            fields: BTreeMap::from([("出庭人员".to_string(), " 张三（局长） ".to_string())]),
            note: Some("第一行\r\n第二行".into()),
            version: Some(1),
        }
        .validate(&s)
        .unwrap();
        assert_eq!(ok.document_ids, [1, 3]);
        assert_eq!(ok.fields["出庭人员"], "张三（局长）");
        assert_eq!(ok.note.as_deref(), Some("第一行\n第二行"));
        assert!(check_documents(&s, &[DocumentKind::Answer]).is_err());
        assert!(check_documents(&s, &[DocumentKind::Answer, DocumentKind::Complaint]).is_ok());
        assert_eq!(
            ReviewDraft::default().validate_return().unwrap_err().0[0].code,
            "required"
        );
    }
}
