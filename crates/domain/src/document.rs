//! Documents attached to a proceeding (起诉状副本, 答辩状, 证据清单, 判决书, 报告 …): what kinds
//! exist, which file types are accepted (decided from the bytes, not from what the browser
//! claims), and how a file name is cleaned for storage and download.

use crate::error::{FieldError, Invalid};
use crate::unit::labelled_enum;

labelled_enum!(
    /// What a document is.
    DocumentKind {
        Complaint = "complaint", "起诉状（申请书）副本";
        Answer = "answer", "答辩状（答复书）";
        EvidenceList = "evidence_list", "证据清单";
        Judgment = "judgment", "判决书（裁定书、决定书）";
        AppearanceList = "appearance_list", "出庭人员名单";
        LossReport = "loss_report", "败诉分析报告";
        Rectification = "rectification", "整改措施";
        ReceiptReport = "receipt_report", "应诉材料接收报告";
        Report = "report", "报告";
        Other = "other", "其他";
    } "文书类别"
);

/// Largest accepted document unless configured otherwise (20 MB).
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// A file type this system accepts, recognised from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Ofd,
    Docx,
    Xlsx,
    Doc,
    Xls,
    Png,
    Jpeg,
    Text,
}

impl FileType {
    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Ofd => "application/ofd",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Doc => "application/msword",
            FileType::Xls => "application/vnd.ms-excel",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Text => "text/plain; charset=utf-8",
        }
    }

    /// The label shown in lists.
    pub fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Ofd => "OFD",
            FileType::Docx | FileType::Doc => "Word",
            FileType::Xlsx | FileType::Xls => "Excel",
            FileType::Png | FileType::Jpeg => "图片",
            FileType::Text => "文本",
        }
    }

    /// File name endings that may carry this type.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Ofd => &["ofd"],
            FileType::Docx => &["docx"],
            FileType::Xlsx => &["xlsx"],
            FileType::Doc => &["doc", "wps"],
            FileType::Xls => &["xls", "et"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Text => &["txt", "csv"],
        }
    }

    pub fn from_media_type(m: &str) -> Option<FileType> {
        [
            FileType::Pdf,
            FileType::Ofd,
            FileType::Docx,
            FileType::Xlsx,
            FileType::Doc,
            FileType::Xls,
            FileType::Png,
            FileType::Jpeg,
            FileType::Text,
        ]
        .into_iter()
        .find(|t| t.media_type() == m)
    }
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Decides the type from the content; the name's extension must agree, so a renamed
/// executable or web page is refused with a clear message.
pub fn sniff(bytes: &[u8], filename: &str) -> Result<FileType, FieldError> {
    let ext = extension(filename);
    let zip = bytes.starts_with(b"PK\x03\x04");
    let contains = |needle: &[u8]| {
        bytes
            .windows(needle.len())
            .take(64 * 1024)
            .any(|w| w == needle)
    };
    let found = if bytes.starts_with(b"%PDF-") {
        Some(FileType::Pdf)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileType::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileType::Jpeg)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // An OLE compound file: the old Word/Excel (and WPS) formats share the container.
        match ext.as_str() {
            "xls" | "et" => Some(FileType::Xls),
            _ => Some(FileType::Doc),
        }
    } else if zip && contains(b"word/") {
        Some(FileType::Docx)
    } else if zip && contains(b"xl/") {
        Some(FileType::Xlsx)
    } else if zip && (contains(b"OFD.xml") || ext == "ofd") {
        Some(FileType::Ofd)
    } else if !bytes.is_empty()
        && !bytes.contains(&0)
        && std::str::from_utf8(bytes).is_ok()
        && !looks_like_markup(bytes)
    {
        Some(FileType::Text)
    } else {
        None
    };
    match found {
        None => Err(FieldError::new(
            "file",
            "unsupported_type",
            "不支持此文件类型：只接受 PDF、OFD、Word、Excel、PNG/JPEG 图片和纯文本文件",
        )),
        Some(t) if !t.extensions().contains(&ext.as_str()) => Err(FieldError::new(
            "file",
            "type_mismatch",
            format!(
                "文件名“{filename}”的扩展名与内容不符（内容是{}文件），请确认文件后重新选择",
                t.label()
            ),
        )),
        Some(t) => Ok(t),
    }
}

fn looks_like_markup(bytes: &[u8]) -> bool {
    let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(512)])
        .trim_start()
        .to_ascii_lowercase();
    head.starts_with("<!doctype") || head.starts_with("<html") || head.starts_with("<script")
}

/// The file name as stored and offered on download: the last path component, without
/// control characters or quotes, at most 120 characters.
pub fn clean_filename(raw: &str) -> Result<String, FieldError> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        return Err(FieldError::new("file", "required", "请选择要上传的文件"));
    }
    Ok(cleaned
        .chars()
        .rev()
        .take(120)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect())
}

/// Validated upload: kind, cleaned name and recognised type, or every problem at once.
pub fn check_upload(
    kind: &str,
    filename: &str,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<(DocumentKind, String, FileType), Invalid> {
    let mut inv = Invalid::default();
    let kind = if kind.trim().is_empty() {
        inv.push(FieldError::required("kind", "文书类别"));
        None
    } else {
        DocumentKind::parse_field("kind", kind.trim())
            .map_err(|e| inv.push(e))
            .ok()
    };
    let name = clean_filename(filename).map_err(|e| inv.push(e)).ok();
    let mut ty = None;
    if name.is_some() {
        if bytes.is_empty() {
            inv.push(FieldError::new("file", "empty_file", "文件是空的"));
        } else if bytes.len() > max_bytes {
            inv.push(FieldError::new(
                "file",
                "file_too_large",
                format!(
                    "文件过大（{:.1} MB），上限为 {} MB",
                    bytes.len() as f64 / 1048576.0,
                    max_bytes / 1048576
                ),
            ));
        } else {
            ty = sniff(bytes, name.as_deref().unwrap_or(""))
                .map_err(|e| inv.push(e))
                .ok();
        }
    }
    match (kind, name, ty) {
        (Some(k), Some(n), Some(t)) if inv.is_empty() => Ok((k, n, t)),
        _ => Err(inv),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n...", "判决书.PDF"), Ok(FileType::Pdf));
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n....", "现场照片.png"),
            Ok(FileType::Png)
        );
        assert_eq!(
            sniff(
                b"PK\x03\x04....[Content_Types].xml word/document.xml",
                "答辩状.docx"
            ),
            Ok(FileType::Docx)
        );
        assert_eq!(
            sniff("证据一：营业执照\n".as_bytes(), "证据清单.txt"),
            Ok(FileType::Text)
        );
        let e = sniff(b"MZ\x90\x00\x03\x00\x00\x00", "起诉状.pdf").unwrap_err();
        assert_eq!(e.code, "unsupported_type");
        let e = sniff(b"%PDF-1.4", "起诉状.docx").unwrap_err();
        assert_eq!(e.code, "type_mismatch");
        assert!(e.message.contains("PDF"));
        assert_eq!(
            sniff(b"<!DOCTYPE html><script>", "a.txt").unwrap_err().code,
            "unsupported_type"
        );
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(
            clean_filename("C:\\Users\\王\\判决书.pdf").unwrap(),
            "判决书.pdf"
        );
        assert_eq!(clean_filename("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_filename("a\"b<c>.pdf").unwrap(), "abc.pdf");
        assert!(clean_filename("  ").is_err());
        assert_eq!(
            clean_filename(&"长".repeat(300)).unwrap().chars().count(),
            120
        );
    }

    #[test]
    fn uploads_report_every_problem() {
        let inv = check_upload("", "", b"", 10).unwrap_err();
        let codes: Vec<&str> = inv.0.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["required", "required"]);
        let inv = check_upload("judgment", "a.pdf", &[b'%'; 11], 10).unwrap_err();
        assert_eq!(inv.0[0].code, "file_too_large");
        let ok = check_upload("judgment", "判决书.pdf", b"%PDF-1.4 x", 100).unwrap();
        assert_eq!(
            ok,
            (DocumentKind::Judgment, "判决书.pdf".into(), FileType::Pdf)
        );
    }
}
