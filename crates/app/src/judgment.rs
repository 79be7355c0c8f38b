//! `huajie judgment parse FILE [--json]`: what the parser reads from a court document.
//! Exit status 2 with a clear message for a file that is not UTF-8 text or not a judgment.

use clap::{Args, Subcommand};
use huajie_judgment::{GroundEntry, Judgment, parse};

use crate::{Failure, usage};

#[derive(Debug, Subcommand)]
pub enum JudgmentCommand {
    /// Parse one document: case number, court, kind, stage, parties, dispositions, legal basis,
    /// whether the agency lost and on what grounds.
    Parse(ParseArgs),
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// A plain-text document (UTF-8); `-` reads standard input.
    pub file: String,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: JudgmentCommand) -> Result<(), Failure> {
    match cmd {
        JudgmentCommand::Parse(args) => parse_file(&args),
    }
}

fn read(path: &str) -> Result<Vec<u8>, Failure> {
    if path == "-" {
        use std::io::Read;
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| usage(format!("无法读取标准输入：{e}")))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| usage(format!("无法读取文件 {path}：{e}")))
}

fn parse_file(args: &ParseArgs) -> Result<(), Failure> {
    let bytes = read(&args.file)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        usage(format!(
            "{}不是 UTF-8 编码的文本（第 {} 个字节起无法解码）；请先转换为 UTF-8，例如：iconv -f GB18030 -t UTF-8",
            args.file,
            e.utf8_error().valid_up_to() + 1
        ))
    })?;
    let j = parse(&text).map_err(|e| usage(format!("{}：{e}", args.file)))?;
    if args.json {
        let s = serde_json::to_string_pretty(&j).map_err(|e| Failure {
            code: 1,
            message: e.to_string(),
        })?;
        say!("{s}");
    } else {
        say!("{}", summary(&j));
    }
    Ok(())
}

fn summary(j: &Judgment) -> String {
    let or_unknown = |v: Option<&str>, field: &str| match v {
        Some(v) => v.to_string(),
        None => format!(
            "无法确定（{}）",
            j.unknown.get(field).map_or("", String::as_str)
        ),
    };
    let mut out = vec![
        format!(
            "案号：{}",
            or_unknown(j.case_number.as_deref(), "case_number")
        ),
        format!("法院：{}", or_unknown(j.court.as_deref(), "court")),
        format!(
            "文书：{}{}",
            or_unknown(j.doc_kind.map(|k| k.label()), "doc_kind"),
            j.title
                .as_deref()
                .map(|t| format!("（标题为“{t}”，按主文认定）"))
                .unwrap_or_default()
        ),
        format!("审级：{}", or_unknown(j.stage.map(|s| s.label()), "stage")),
    ];
    if let Some(d) = &j.decided_on {
        out.push(format!("裁判日期：{d}"));
    }
    for p in &j.parties {
        out.push(format!(
            "当事人：{}{} {}{}{}",
            p.role,
            p.original_role
                .as_deref()
                .map(|o| format!("（{o}）"))
                .unwrap_or_default(),
            p.name,
            if p.reconsideration_organ {
                "（复议机关）"
            } else {
                ""
            },
            match p.lost {
                Some(true) => "：败诉",
                Some(false) => "：未败诉",
                None => "",
            }
        ));
    }
    for (i, d) in j.disposition_items.iter().enumerate() {
        out.push(format!("判项{}【{}】{}", i + 1, d.kind.label(), d.text));
    }
    if !j.legal_basis.is_empty() {
        let list: Vec<String> = j.legal_basis.iter().map(|c| c.label()).collect();
        out.push(format!("法律依据：{}", list.join("；")));
    }
    out.push(format!(
        "行政机关败诉：{}（{}）",
        match j.agency_lost {
            Some(true) => "是",
            Some(false) => "否",
            None => "无法确定",
        },
        j.agency_lost_basis.as_deref().unwrap_or("")
    ));
    if !j.loss_grounds.is_empty() {
        let from: Vec<String> = j
            .grounds
            .iter()
            .filter_map(|g| match g {
                GroundEntry::Citation {
                    citation,
                    label: Some(l),
                } => Some(format!("{l}（{}）", citation.label())),
                GroundEntry::Label(g) => Some(format!("{}（本院认为：“{}”）", g.label, g.evidence)),
                _ => None,
            })
            .collect();
        out.push(format!("败诉原因：{}", from.join("；")));
    }
    out.join("\n")
}
