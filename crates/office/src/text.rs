//! Plain text out of an uploaded court document, for the judgment reader: a text file (UTF-8,
//! UTF-16 with BOM, or GB18030 as saved by Chinese Windows) or a Word .docx (the paragraphs of
//! `word/document.xml`). PDF, OFD, scans and the old .doc are refused with a message saying
//! what to do instead.

use std::io::Read;

/// Why no text could be taken from a file (the message is shown to the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoText(pub String);

impl std::fmt::Display for NoText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NoText {}

/// Decodes a text file. Bytes that are neither valid UTF-8, UTF-16 with a BOM nor GB18030 are
/// refused rather than read as garbage.
pub fn decode_text(bytes: &[u8]) -> Result<String, NoText> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|_| NoText("文件以 UTF-8 标记开头，但内容不是有效的 UTF-8 文本".into()));
    }
    for (bom, enc) in [
        (&[0xFF, 0xFE][..], encoding_rs::UTF_16LE),
        (&[0xFE, 0xFF][..], encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, had_errors) = enc.decode_without_bom_handling(rest);
            if had_errors {
                return Err(NoText("UTF-16 文本中有无效字符".into()));
            }
            return Ok(text.into_owned());
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(NoText(
            "文本编码无法识别：请另存为 UTF-8 或 GB18030（ANSI）编码的文本文件".into(),
        ));
    }
    Ok(text.into_owned())
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if entity.starts_with("#x") => u32::from_str_radix(&entity[2..], 16)
                .ok()
                .and_then(char::from_u32),
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The largest `word/document.xml` read from an uploaded .docx, inflated.
pub const MAX_DOCUMENT_XML: u64 = 32 * 1024 * 1024;

/// The text of a .docx: one line per paragraph, tabs and breaks kept.
pub fn docx_text(bytes: &[u8]) -> Result<String, NoText> {
    let bad = || NoText("Word 文档已损坏或不是 .docx 格式，无法读取文字".into());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| bad())?;
    // Inflate at most MAX_DOCUMENT_XML bytes: a small upload may claim or hold gigabytes
    // (a zip bomb); a real judgment's document.xml is well under a megabyte or two.
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| bad())?
        .take(MAX_DOCUMENT_XML + 1)
        .read_to_string(&mut xml)
        .map_err(|_| bad())?;
    if xml.len() as u64 > MAX_DOCUMENT_XML {
        return Err(NoText(format!(
            "Word 文档的正文解压后超过 {} MB，不像一份裁判文书，未读取",
            MAX_DOCUMENT_XML / (1024 * 1024)
        )));
    }
    let mut out = String::with_capacity(xml.len() / 4);
    let mut rest = xml.as_str();
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else { break };
        let tag = &rest[i + 1..i + j];
        rest = &rest[i + j + 1..];
        let name = tag
            .trim_start_matches('/')
            .split([' ', '/'])
            .next()
            .unwrap_or("");
        match name {
            "w:t" if !tag.starts_with('/') && !tag.ends_with('/') => {
                let end = rest.find("</w:t>").ok_or_else(bad)?;
                out.push_str(&unescape(&rest[..end]));
                rest = &rest[end + 6..];
            }
            "w:tab" => out.push('\t'),
            "w:br" | "w:cr" => out.push('\n'),
            "w:p" if tag.starts_with('/') || tag.ends_with('/') => out.push('\n'),
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_encodings() {
        assert_eq!(decode_text("判决如下".as_bytes()).unwrap(), "判决如下");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("本院认为".as_bytes());
        assert_eq!(decode_text(&bom).unwrap(), "本院认为");
        let (gb, _, _) = encoding_rs::GB18030.encode("行政判决书");
        assert_eq!(decode_text(&gb).unwrap(), "行政判决书");
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "裁定".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(&utf16).unwrap(), "裁定");
        assert!(decode_text(&[0x81, 0x20, 0xFF, 0xFE, 0x81]).is_err());
    }

    #[test]
    fn docx_paragraphs() {
        use crate::docx::{Block, Document, docx};
        let doc = Document {
            title: "行政判决书".into(),
            author: String::new(),
            blocks: vec![
                Block::Title("行政判决书".into()),
                Block::Para("（2024）浙0225行初12号".into()),
                Block::Para("原告张三 & 被告<某局>".into()),
            ],
        };
        let bytes = docx(&doc).unwrap();
        let text = docx_text(&bytes).unwrap();
        assert!(text.contains("行政判决书\n"), "{text}");
        assert!(text.contains("（2024）浙0225行初12号\n"));
        assert!(text.contains("原告张三 & 被告<某局>"));
        assert!(docx_text(b"PK\x03\x04 not a zip").is_err());
    }

    /// Regression: the .docx reader inflated without a limit (zip bomb): 40 MB of zeros that
    /// compress to a few dozen kilobytes are refused, not read into memory.
    #[test]
    fn docx_zip_bomb_is_refused() {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            w.start_file("word/document.xml", opts).unwrap();
            let chunk = vec![b' '; 1024 * 1024];
            for _ in 0..40 {
                w.write_all(&chunk).unwrap();
            }
            w.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
        let e = docx_text(&bytes).unwrap_err();
        assert!(e.0.contains("超过"), "{}", e.0);
    }
}
