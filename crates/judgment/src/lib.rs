//! Reading Chinese administrative court documents (判决书, 裁定书, 调解书) given as plain text,
//! in the two forms found in the wild: the full text with the party block, and the segment form
//! published without it and with trailing punctuation stripped (`判决如下` without `：`).
//!
//! [`parse`] extracts the case number, court, document kind (decided by the operative part, not
//! the title), stage, parties where present, the dispositions (判项) in order, the cited legal
//! basis normalised to (law, version, article, paragraph, item), whether the agency lost (for
//! an appeal that upholds, from the first-instance result the text recites) and the loss
//! grounds. Whatever cannot be determined is `None` with a reason in [`Judgment::unknown`].
//!
//! Pure functions over text: no I/O, no database, no HTTP.

mod case_number;
mod citation;
mod disposition;
mod numerals;
mod parties;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

pub use case_number::CaseNumber;
pub use citation::{Citation, GROUNDS};
pub use disposition::{Disposition, DispositionItem};
pub use parties::{Party, Side};

/// Procedure stage (审级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Stage {
    #[serde(rename = "一审")]
    FirstInstance,
    #[serde(rename = "二审")]
    Appeal,
    #[serde(rename = "再审")]
    Retrial,
    #[serde(rename = "再审审查")]
    RetrialReview,
    #[serde(rename = "非诉执行审查")]
    NonLitigationEnforcement,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::FirstInstance => "一审",
            Stage::Appeal => "二审",
            Stage::Retrial => "再审",
            Stage::RetrialReview => "再审审查",
            Stage::NonLitigationEnforcement => "非诉执行审查",
        }
    }
}

/// Document kind, decided by the operative part (主文).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DocKind {
    #[serde(rename = "判决书")]
    Judgment,
    #[serde(rename = "裁定书")]
    Ruling,
    #[serde(rename = "调解书")]
    Mediation,
    #[serde(rename = "决定书")]
    Decision,
}

impl DocKind {
    pub fn label(self) -> &'static str {
        match self {
            DocKind::Judgment => "判决书",
            DocKind::Ruling => "裁定书",
            DocKind::Mediation => "调解书",
            DocKind::Decision => "决定书",
        }
    }
}

/// A loss ground: a taxonomy label and where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ground {
    pub label: String,
    /// "citation" (the article names it) or "reasoning" (the 本院认为 part says it).
    pub source: String,
    /// The citation or the words it was read from.
    pub evidence: String,
}

/// Everything read from one document.
#[derive(Debug, Clone, Serialize)]
pub struct Judgment {
    pub case_number: Option<String>,
    pub case_number_parts: Option<CaseNumber>,
    pub court: Option<String>,
    pub doc_kind: Option<DocKind>,
    /// The kind named in the title, when it differs from what the operative part is.
    pub title: Option<String>,
    pub stage: Option<Stage>,
    /// 裁判日期 (YYYY-MM-DD).
    pub decided_on: Option<String>,
    pub parties: Vec<Party>,
    /// The dispositions in order; the first is the primary one.
    pub dispositions: Vec<Disposition>,
    /// The same with the text of each 判项.
    pub disposition_items: Vec<DispositionItem>,
    /// The legal basis of the operative part, normalised.
    pub legal_basis: Vec<Citation>,
    /// Did the agency (行政机关) lose? `None` when it cannot be told (see `unknown`).
    pub agency_lost: Option<bool>,
    /// How `agency_lost` was decided.
    pub agency_lost_basis: Option<String>,
    /// Normalised citations behind an adverse result, and the taxonomy labels.
    pub grounds: Vec<GroundEntry>,
    /// The taxonomy labels alone (LEGAL-RULES §4), in order, without repeats.
    pub loss_grounds: Vec<String>,
    /// The court's reasoning (本院认为 …), for the loss analysis report.
    pub reasoning: Option<String>,
    /// Field → why it is null.
    pub unknown: BTreeMap<String, String>,
}

/// One entry of `grounds`: a normalised citation (with the label it stands for, if any) or a
/// label read from the reasoning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GroundEntry {
    Citation {
        #[serde(flatten)]
        citation: Citation,
        label: Option<String>,
    },
    Label(Ground),
}

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAJudgment(pub String);

impl std::fmt::Display for NotAJudgment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotAJudgment {}

/// Lines without the layout spaces (审　判　长) and with Windows line ends removed.
fn normalise(text: &str) -> Vec<String> {
    text.trim_start_matches('\u{feff}')
        .split('\n')
        .map(|l| {
            let chars: Vec<char> = l.trim_end_matches('\r').chars().collect();
            let mut s = String::with_capacity(l.len());
            for (i, c) in chars.iter().enumerate() {
                let c = *c;
                if c == '\u{3000}' || c == '\t' || c == '\u{a0}' {
                    continue;
                }
                if c == ' ' {
                    // Keep a space only between two ASCII letters or digits (foreign names).
                    let prev = i.checked_sub(1).and_then(|j| chars.get(j));
                    let next = chars.get(i + 1);
                    if prev.is_some_and(|p| p.is_ascii_alphanumeric())
                        && next.is_some_and(|n| n.is_ascii_alphanumeric())
                    {
                        s.push(' ');
                    }
                    continue;
                }
                s.push(c);
            }
            s
        })
        .filter(|l| !l.is_empty())
        .collect()
}

static LEAD_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(判决|裁定|决定)如下[：:]?|(?:达成|自愿达成)(?:如下|以下)(?:调解)?协议[：:]?|调解协议如下[：:]?")
        .expect("lead-in")
});
static COURT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:中华人民共和国)?([\p{Han}（）()]{2,40}?(?:法院|法庭))$").expect("court")
});
static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[\p{Han}]{0,30}?)((?:行政)?(?:赔偿)?(?:附带民事)?(判决书|裁定书|调解书|决定书))$",
    )
    .expect("title")
});
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[〇零○一二三四五六七八九十\d]{4}年[一二三四五六七八九十\d]{1,2}月[一二三四五六七八九十\d]{1,3}日$").expect("date")
});

/// Reads one document.
pub fn parse(text: &str) -> Result<Judgment, NotAJudgment> {
    let lines = normalise(text);
    let mut unknown = BTreeMap::new();
    // Header: court, title and case number come before the body.
    let head = &lines[..lines.len().min(8)];
    let court = head
        .iter()
        .take(4)
        .find_map(|l| COURT.captures(l).map(|c| c[1].to_string()));
    let title = head
        .iter()
        .take(5)
        .find_map(|l| TITLE.captures(l).map(|c| c[1].to_string()));
    let case_no = head
        .iter()
        .filter(|l| l.chars().count() <= 40)
        .find_map(|l| case_number::find(l));
    let body = lines.join("\n");
    let lead = LEAD_IN.find_iter(&body).last();
    if case_no.is_none() && lead.is_none() {
        return Err(NotAJudgment(
            "不是裁判文书：找不到案号，也找不到“判决如下”“裁定如下”等主文开头".into(),
        ));
    }
    if court.is_none() && lead.is_none() && title.is_none() {
        return Err(NotAJudgment("不是裁判文书：找不到法院名称和主文".into()));
    }
    let decided = lines
        .iter()
        .rev()
        .take(12)
        .find(|l| DATE_LINE.is_match(l))
        .and_then(|l| numerals::parse_date(l));
    let decided_on = decided.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"));

    // The operative part and its basis sentence.
    let (before, operative) = match lead {
        Some(m) => (&body[..m.start()], &body[m.end()..]),
        None => (body.as_str(), ""),
    };
    let doc_kind = match lead.map(|m| m.as_str()) {
        Some(s) if s.starts_with("判决") => Some(DocKind::Judgment),
        Some(s) if s.starts_with("裁定") => Some(DocKind::Ruling),
        Some(s) if s.starts_with("决定") => Some(DocKind::Decision),
        Some(_) => Some(DocKind::Mediation),
        None => title.as_deref().and_then(|t| {
            if t.ends_with("调解书") {
                Some(DocKind::Mediation)
            } else {
                None
            }
        }),
    };
    if doc_kind.is_none() {
        unknown.insert(
            "doc_kind".into(),
            "找不到“判决如下”“裁定如下”等主文开头，无法按主文判断文书种类".into(),
        );
    }
    let basis_sentence = basis_sentence(before);
    let legal_basis = citation::parse_citations(basis_sentence, decided);

    let mut stage = case_no.as_ref().and_then(CaseNumber::stage);
    let parties = parties::parse(&lines, before);
    if stage.is_none() {
        stage = parties::stage_from_roles(&parties, before);
        if stage.is_none() {
            unknown.insert(
                "stage".into(),
                "案号缺失或类型代字无法识别，当事人称谓也不能判断审级".into(),
            );
        }
    }
    if case_no.is_none() {
        unknown.insert("case_number".into(), "文书开头没有可识别的案号".into());
    }
    if court.is_none() {
        unknown.insert("court".into(), "文书开头没有法院名称".into());
    }
    if decided_on.is_none() {
        unknown.insert("decided_on".into(), "文末没有裁判日期".into());
    }

    let items = disposition::parse(operative, doc_kind);
    if items.is_empty() {
        unknown.insert("dispositions".into(), "主文为空或无法识别".into());
    }
    let reasoning = reasoning(before);
    let outcome = disposition::agency_lost(&disposition::Context {
        items: &items,
        stage,
        parties: &parties,
        before,
        date: decided,
    });
    let mut j = Judgment {
        case_number: case_no.as_ref().map(|c| c.text.clone()),
        case_number_parts: case_no,
        court,
        doc_kind,
        title: title.filter(|t| doc_kind.is_none_or(|k| !t.ends_with(k.label()))),
        stage,
        decided_on,
        parties,
        dispositions: items.iter().map(|i| i.kind).collect(),
        disposition_items: items,
        legal_basis,
        agency_lost: outcome.lost,
        agency_lost_basis: Some(outcome.basis.clone()),
        grounds: Vec::new(),
        loss_grounds: Vec::new(),
        reasoning,
        unknown,
    };
    if j.agency_lost.is_none() {
        j.unknown.insert("agency_lost".into(), outcome.basis);
    }
    disposition::mark_defendants(&mut j);
    if j.agency_lost == Some(true) {
        // Grounds: the articles behind the adverse result (the recited first-instance basis
        // when an appeal upheld it), then the reasoning when the articles name none.
        let cites = if outcome.recited_basis.is_empty() {
            j.legal_basis.clone()
        } else {
            outcome.recited_basis.clone()
        };
        for c in cites {
            let label = citation::ground_of(&c).map(str::to_string);
            if let Some(l) = &label
                && !j.loss_grounds.contains(l)
            {
                j.loss_grounds.push(l.clone());
            }
            j.grounds.push(GroundEntry::Citation { citation: c, label });
        }
        let specific = j
            .loss_grounds
            .iter()
            .any(|g| g != "违法但不具有可撤销内容" && g != "被告改变原违法行政行为");
        if !specific {
            let text = j.reasoning.clone().unwrap_or_default();
            for (label, words) in citation::grounds_in_text(&text) {
                if !j.loss_grounds.iter().any(|g| g == label) {
                    j.loss_grounds.push(label.to_string());
                    j.grounds.push(GroundEntry::Label(Ground {
                        label: label.to_string(),
                        source: "reasoning".into(),
                        evidence: words,
                    }));
                }
            }
        }
        if j.loss_grounds.is_empty() {
            j.unknown.insert(
                "loss_grounds".into(),
                "判决依据的条文和本院认为部分都没有指明败诉原因".into(),
            );
        }
    }
    Ok(j)
}

/// The sentence that gives the operative part its legal basis: from the last 依照/依据/根据/
/// 按照 of the last sentence before the lead-in.
fn basis_sentence(before: &str) -> &str {
    let start = before.rfind(['。', '\n']).map_or(0, |i| {
        i + before[i..].chars().next().map_or(0, char::len_utf8)
    });
    let last = &before[start..];
    // A basis sentence can itself hold 。 inside a quoted name; if the last sentence has no
    // law in it, look one sentence further back.
    if last.contains('《') || last.contains("行政诉讼法") {
        let from = ["依照", "依据", "根据", "按照"]
            .iter()
            .filter_map(|k| last.find(k))
            .min()
            .unwrap_or(0);
        return &last[from..];
    }
    let prev = before[..start].trim_end_matches(['。', '\n']);
    let pstart = prev.rfind(['。', '\n']).map_or(0, |i| {
        i + prev[i..].chars().next().map_or(0, char::len_utf8)
    });
    let candidate = &before[pstart..];
    if candidate.contains('《') {
        candidate
    } else {
        last
    }
}

/// The 本院认为 part: from the court's own 本院认为 to the lead-in.
fn reasoning(before: &str) -> Option<String> {
    let at = before
        .rfind("本院认为")
        .or_else(|| before.rfind("本院经审理认为"))
        .or_else(|| before.rfind("本院经审查认为"))?;
    let text = before[at..].trim();
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_non_judgments() {
        assert!(parse("今天天气很好。\n我们去公园。").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn segment_form_withdrawal() {
        let t = "上海市奉贤区人民法院\n行政裁定书\n（2016）沪0120行初75号\n本院在审理原告甲诉被告上海市规划和国土资源管理局行政登记一案中，原告于2016年4月13日向本院提出撤诉申请\n本院认为，应予准许。依照《中华人民共和国行政诉讼法》第六十二条的规定，裁定如下\n准许原告甲撤回起诉。\n案件受理费人民币50元，由原告负担\n审判长徐玉良\n二〇一六年四月二十二日\n书记员戴小清\n";
        let j = parse(t).unwrap();
        assert_eq!(j.case_number.as_deref(), Some("（2016）沪0120行初75号"));
        assert_eq!(j.court.as_deref(), Some("上海市奉贤区人民法院"));
        assert_eq!(j.doc_kind, Some(DocKind::Ruling));
        assert_eq!(j.stage, Some(Stage::FirstInstance));
        assert_eq!(j.dispositions, [Disposition::Withdrawal]);
        assert_eq!(j.agency_lost, Some(false));
        assert_eq!(j.decided_on.as_deref(), Some("2016-04-22"));
        assert_eq!(j.legal_basis[0].label(), "行政诉讼法（2014）第62条");
    }

    #[test]
    fn mediation_and_reversal_on_appeal() {
        let t = "某县人民法院\n行政调解书\n（2021）浙0624行初12号\n原告张三诉被告某县人力资源和社会保障局工伤认定一案\n本案审理过程中，经本院主持调解，双方当事人自愿达成如下协议：\n一、被告于2021年5月1日前支付原告补偿款10000元；\n二、原告放弃其他诉讼请求。\n上述协议，符合有关法律规定，本院予以确认。\n二〇二一年四月二日\n";
        let j = parse(t).unwrap();
        assert_eq!(j.doc_kind, Some(DocKind::Mediation));
        assert_eq!(j.dispositions, [Disposition::Mediation]);
        assert_eq!(j.agency_lost, Some(false));
        let t = "某市中级人民法院\n行政判决书\n（2020）浙06行终88号\n上诉人李四因诉某县自然资源和规划局行政处罚一案，不服某县人民法院（2019）浙0624行初30号行政判决，向本院提起上诉\n本院认为，被上诉人作出处罚未告知陈述申辩权利，违反法定程序。依照《中华人民共和国行政诉讼法》第七十条第（三）项、第八十九条第一款第（二）项之规定，判决如下\n一、撤销某县人民法院（2019）浙0624行初30号行政判决；\n二、撤销某县自然资源和规划局作出的行政处罚决定。\n本判决为终审判决\n二〇二〇年九月一日\n";
        let j = parse(t).unwrap();
        assert_eq!(j.stage, Some(Stage::Appeal));
        assert_eq!(j.dispositions, [Disposition::Reversed, Disposition::Revoke]);
        assert_eq!(j.agency_lost, Some(true));
        assert_eq!(j.loss_grounds, ["违反法定程序"]);
    }

    #[test]
    fn a_ruling_headed_judgment_is_a_ruling() {
        let t = "某县人民法院\n行政判决书\n（2020）浙0783行初49号\n原告甲诉被告某县自然资源局一案，原告申请撤诉\n依照《中华人民共和国行政诉讼法》第六十二条的规定，裁定如下：\n准予原告甲撤诉。\n二〇二〇年十一月十六日\n";
        let j = parse(t).unwrap();
        assert_eq!(j.doc_kind, Some(DocKind::Ruling));
        assert_eq!(j.title.as_deref(), Some("行政判决书"));
    }
}
