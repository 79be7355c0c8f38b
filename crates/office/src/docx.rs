//! Word documents in the layout of Chinese official documents (GB/T 9704-2012 《党政机关公文格式》):
//! A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; 22 lines of 28 characters;
//! title in 二号方正小标宋简体, body in 三号仿宋_GB2312, first-level headings in 黑体, second-level
//! in 楷体_GB2312; page numbers "— 1 —" in 四号宋体 at the outer edge (right on odd pages, left on
//! even pages). Fonts are referenced by name, not embedded: government PCs have them, and Word
//! substitutes the nearest font elsewhere.
//!
//! The package is written by hand (five XML parts in a zip) rather than through a docx library:
//! the layout is one fixed style, and the `zip` crate is already in the tree for Excel.

use std::io::Write;

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::OfficeError;

/// Twips per millimetre (1 inch = 25.4 mm = 1440 twips).
fn mm(v: f64) -> u32 {
    (v * 1440.0 / 25.4).round() as u32
}

/// 三号 = 16 pt = 32 half-points (body); 二号 = 22 pt (title); 四号 = 14 pt (page numbers);
/// 五号 = 10.5 pt (tables).
const BODY: u32 = 32;
const TITLE: u32 = 44;
const PAGE_NO: u32 = 28;
const TABLE: u32 = 21;

const FANGSONG: &str = "仿宋_GB2312";
const XIAOBIAOSONG: &str = "方正小标宋简体";
const HEITI: &str = "黑体";
const KAITI: &str = "楷体_GB2312";
const SONGTI: &str = "宋体";

/// A table: header row (repeated on every page) and body rows of text cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The caption printed above the table (e.g. "表1 各单位行政应诉情况").
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Relative column widths (any unit); equal widths when empty.
    pub widths: Vec<u32>,
    /// Columns (by index) aligned left; the others are centred.
    pub left: Vec<usize>,
}

/// One block of an official document, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The title (标题), centred, 二号小标宋; followed by one blank line.
    Title(String),
    /// The addressee (主送机关), flush left, ending with a full-width colon.
    Addressee(String),
    /// A body paragraph, first line indented by two characters.
    Para(String),
    /// A first-level heading ("一、总体情况"), 黑体.
    Heading(String),
    /// A second-level heading ("（一）……"), 楷体.
    Subheading(String),
    Table(Table),
    /// The issuing organ and the date (署名、成文日期), right-aligned, after a blank line.
    Signature {
        organ: String,
        date: String,
    },
    /// An empty line.
    Blank,
}

/// A document: its blocks and the core properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub title: String,
    pub author: String,
    pub blocks: Vec<Block>,
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Run properties: the East Asian font, Times New Roman for Latin text and digits, a size.
fn rpr(font: &str, size: u32, bold: bool) -> String {
    format!(
        "<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"{font}\" w:cs=\"Times New Roman\"/>{}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr>",
        if bold { "<w:b/><w:bCs/>" } else { "" }
    )
}

fn run(text: &str, font: &str, size: u32, bold: bool) -> String {
    format!(
        "<w:r>{}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        rpr(font, size, bold),
        esc(text)
    )
}

/// A paragraph; `ppr` is the inside of `<w:pPr>`.
fn para(ppr: &str, text: &str, font: &str, size: u32, bold: bool) -> String {
    let body = if text.is_empty() {
        String::new()
    } else {
        run(text, font, size, bold)
    };
    format!(
        "<w:p><w:pPr>{ppr}{}</w:pPr>{body}</w:p>",
        rpr(font, size, bold)
    )
}

fn table(t: &Table, text_width: u32) -> String {
    let n = t.headers.len().max(1);
    let weights: Vec<u32> = if t.widths.len() == n {
        t.widths.iter().map(|w| (*w).max(1)).collect()
    } else {
        vec![1; n]
    };
    let sum: u32 = weights.iter().sum();
    let cols: Vec<u32> = weights.iter().map(|w| text_width * w / sum).collect();
    let mut x = String::new();
    if !t.caption.is_empty() {
        x.push_str(&para(
            "<w:keepNext/><w:jc w:val=\"center\"/>",
            &t.caption,
            HEITI,
            BODY - 4,
            false,
        ));
    }
    x.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/><w:tblBorders>");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        x.push_str(&format!(
            "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        ));
    }
    x.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"57\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>");
    for c in &cols {
        x.push_str(&format!("<w:gridCol w:w=\"{c}\"/>"));
    }
    x.push_str("</w:tblGrid>");
    let row = |cells: &[String], header: bool| -> String {
        let mut r = String::from("<w:tr><w:trPr><w:cantSplit/>");
        if header {
            r.push_str("<w:tblHeader/>");
        }
        r.push_str("</w:trPr>");
        for (i, w) in cols.iter().enumerate() {
            let text = cells.get(i).map(String::as_str).unwrap_or("");
            let jc = if !header && t.left.contains(&i) {
                "left"
            } else {
                "center"
            };
            r.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>{}</w:tc>",
                // Table text sits on its own single-spaced lines, not on the page grid.
                para(
                    &format!("<w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"300\" w:lineRule=\"auto\"/><w:jc w:val=\"{jc}\"/>"),
                    text,
                    if header { HEITI } else { FANGSONG },
                    TABLE,
                    false,
                )
            ));
        }
        r.push_str("</w:tr>");
        r
    };
    x.push_str(&row(&t.headers, true));
    for cells in &t.rows {
        x.push_str(&row(cells, false));
    }
    x.push_str("</w:tbl>");
    // A blank line after the table keeps the next paragraph off its bottom border.
    x.push_str(&para("", "", FANGSONG, BODY, false));
    x
}

const NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

/// `word/document.xml` of a document.
pub fn document_xml(doc: &Document) -> String {
    let (page_w, page_h) = (11906, 16838);
    let (top, bottom, left, right) = (mm(37.0), mm(35.0), mm(28.0), mm(26.0));
    let text_width = page_w - left - right;
    let mut body = String::new();
    for b in &doc.blocks {
        match b {
            Block::Title(t) => {
                body.push_str(&para(
                    "<w:spacing w:line=\"700\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/>",
                    t,
                    XIAOBIAOSONG,
                    TITLE,
                    false,
                ));
                body.push_str(&para("", "", FANGSONG, BODY, false));
            }
            Block::Addressee(t) => body.push_str(&para("", t, FANGSONG, BODY, false)),
            Block::Para(t) => body.push_str(&para(
                "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/>",
                t,
                FANGSONG,
                BODY,
                false,
            )),
            Block::Heading(t) => body.push_str(&para(
                "<w:keepNext/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>",
                t,
                HEITI,
                BODY,
                false,
            )),
            Block::Subheading(t) => body.push_str(&para(
                "<w:keepNext/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>",
                t,
                KAITI,
                BODY,
                false,
            )),
            Block::Table(t) => body.push_str(&table(t, text_width)),
            Block::Signature { organ, date } => {
                body.push_str(&para("", "", FANGSONG, BODY, false));
                // 署名 and 成文日期 end four characters before the right margin (GB/T 9704 7.3.5.1).
                let ppr = "<w:ind w:rightChars=\"400\" w:right=\"1280\"/><w:jc w:val=\"right\"/>";
                body.push_str(&para(ppr, organ, FANGSONG, BODY, false));
                body.push_str(&para(ppr, date, FANGSONG, BODY, false));
            }
            Block::Blank => body.push_str(&para("", "", FANGSONG, BODY, false)),
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document {NS}><w:body>{body}\
         <w:sectPr>\
         <w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/>\
         <w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>\
         <w:pgSz w:w=\"{page_w}\" w:h=\"{page_h}\"/>\
         <w:pgMar w:top=\"{top}\" w:right=\"{right}\" w:bottom=\"{bottom}\" w:left=\"{left}\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>\
         <w:pgNumType w:fmt=\"decimal\" w:start=\"1\"/>\
         <w:docGrid w:type=\"linesAndChars\" w:linePitch=\"579\" w:charSpace=\"-842\"/>\
         </w:sectPr></w:body></w:document>"
    )
}

/// A footer with "— PAGE —", on the outer side: right (odd pages) or left (even pages), one
/// character in from the margin.
fn footer_xml(odd: bool) -> String {
    let (jc, ind) = if odd {
        ("right", "<w:ind w:right=\"280\"/>")
    } else {
        ("left", "<w:ind w:left=\"280\"/>")
    };
    let r = |t: &str| run(t, SONGTI, PAGE_NO, false);
    let fld = |instr: &str| {
        format!(
            "<w:r>{p}<w:fldChar w:fldCharType=\"begin\"/></w:r><w:r>{p}<w:instrText xml:space=\"preserve\">{instr}</w:instrText></w:r><w:r>{p}<w:fldChar w:fldCharType=\"separate\"/></w:r><w:r>{p}<w:t>1</w:t></w:r><w:r>{p}<w:fldChar w:fldCharType=\"end\"/></w:r>",
            p = rpr(SONGTI, PAGE_NO, false)
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:ftr {NS}><w:p><w:pPr>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>{}{}{}</w:p></w:ftr>",
        r("— "),
        fld(" PAGE "),
        r(" —")
    )
}

fn styles_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:styles {NS}><w:docDefaults><w:rPrDefault>{}</w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:widowControl w:val=\"0\"/><w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
         <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
         </w:styles>",
        rpr(FANGSONG, BODY, false)
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rIdFooterOdd\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"rIdFooterEven\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>\
</Relationships>";

fn settings_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:settings {NS}><w:defaultTabStop w:val=\"420\"/><w:evenAndOddHeaders/>\
         <w:characterSpacingControl w:val=\"compressPunctuation\"/></w:settings>"
    )
}

fn core_xml(doc: &Document) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
         <dc:title>{}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>",
        esc(&doc.title),
        esc(&doc.author)
    )
}

/// The .docx package of a document.
pub fn docx(doc: &Document) -> Result<Vec<u8>, OfficeError> {
    let fail = |e: &dyn std::fmt::Display| OfficeError(format!("生成Word文件失败：{e}"));
    let mut z = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, String); 8] = [
        ("[Content_Types].xml", CONTENT_TYPES.into()),
        ("_rels/.rels", ROOT_RELS.into()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.into()),
        ("word/document.xml", document_xml(doc)),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", settings_xml()),
        ("word/footer1.xml", footer_xml(true)),
        ("word/footer2.xml", footer_xml(false)),
    ];
    for (name, xml) in parts.iter() {
        z.start_file(*name, opts).map_err(|e| fail(&e))?;
        z.write_all(xml.as_bytes()).map_err(|e| fail(&e))?;
    }
    z.start_file("docProps/core.xml", opts)
        .map_err(|e| fail(&e))?;
    z.write_all(core_xml(doc).as_bytes())
        .map_err(|e| fail(&e))?;
    Ok(z.finish().map_err(|e| fail(&e))?.into_inner())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Read;

    /// A part of a .docx package, as text.
    pub fn part(bytes: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    /// Every XML part of the package parses (Word refuses a malformed part outright).
    pub fn assert_well_formed(bytes: &[u8]) {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let name = f.name().map(|n| n.to_string()).unwrap_or_default();
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            let mut r = quick_xml::Reader::from_str(&s);
            r.config_mut().check_end_names = true;
            loop {
                match r.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{name} is not well-formed: {e}"),
                }
            }
        }
    }

    #[test]
    fn official_layout() {
        let doc = Document {
            title: "测试".into(),
            author: "司法局".into(),
            blocks: vec![
                Block::Title("关于<测试>的通报".into()),
                Block::Addressee("各单位：".into()),
                Block::Heading("一、总体情况".into()),
                Block::Para("收案12件 & 审结3件。".into()),
                Block::Table(Table {
                    caption: "表1".into(),
                    headers: vec!["单位".into(), "败诉率".into()],
                    rows: vec![vec!["甲局".into(), "8.00%".into()]],
                    widths: vec![3, 1],
                    left: vec![0],
                }),
                Block::Signature {
                    organ: "某县司法局".into(),
                    date: "2026年10月9日".into(),
                },
            ],
        };
        let bytes = docx(&doc).unwrap();
        assert_well_formed(&bytes);
        let x = part(&bytes, "word/document.xml");
        // A4, GB/T 9704 margins (37/26/35/28 mm), 22 lines of 28 characters.
        assert!(x.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
        assert!(x.contains("w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\""));
        assert!(x.contains("w:type=\"linesAndChars\" w:linePitch=\"579\""));
        assert!(x.contains("w:eastAsia=\"方正小标宋简体\"") && x.contains("<w:sz w:val=\"44\"/>"));
        assert!(x.contains("w:eastAsia=\"仿宋_GB2312\"") && x.contains("<w:sz w:val=\"32\"/>"));
        assert!(x.contains("w:eastAsia=\"黑体\""));
        assert!(x.contains("关于&lt;测试&gt;的通报") && x.contains("收案12件 &amp; 审结3件。"));
        assert!(x.contains("<w:tblHeader/>") && x.contains("<w:gridCol w:w=\"6633\"/>"));
        let f = part(&bytes, "word/footer1.xml");
        assert!(f.contains("PAGE") && f.contains("w:val=\"right\""));
        assert!(part(&bytes, "word/footer2.xml").contains("w:val=\"left\""));
        assert!(part(&bytes, "word/settings.xml").contains("<w:evenAndOddHeaders/>"));
        assert!(part(&bytes, "[Content_Types].xml").contains("/word/footer2.xml"));
    }
}
