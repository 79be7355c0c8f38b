//! Parties (当事人): from the party block of the full text, or from the opening sentence and
//! the body of the segment form. The 复议机关 co-defendant (行诉法 26(2)) is recognised by the
//! reconsideration decision it made.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::Stage;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// 原告, 上诉人 (原审原告), 再审申请人 …
    Plaintiff,
    /// 被告, 被上诉人 (原审被告), 被申请人 …
    Defendant,
    ThirdParty,
    /// 申请执行人 / 被执行人 in a non-litigation enforcement review.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Party {
    /// The role as written: 上诉人, 被告, 第三人 …
    pub role: String,
    /// The role in the first instance, where the document gives it (原审原告 …).
    pub original_role: Option<String>,
    pub side: Side,
    pub name: String,
    /// Short name the document uses (以下简称 …).
    pub alias: Option<String>,
    pub is_agency: bool,
    /// The 复议机关 sued together with the original agency.
    pub reconsideration_organ: bool,
    /// For a defendant agency: whether this document goes against it.
    pub lost: Option<bool>,
    /// "party_block" or "text".
    pub source: String,
}

static ROLE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(被上诉人|上诉人|原审原告|原审被告|原审第三人|一审原告|一审被告|一审第三人|被再审申请人|再审申请人|被申请人|申请执行人|被执行人|起诉人|申请人|原告|被告|第三人)(?:[（(]([^）)]{1,12})[）)])?(.+)$")
        .expect("role line")
});
static REPRESENTATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:法定代表人|委托代理人|委托诉讼代理人|诉讼代理人|指定代理人|法定代理人|负责人|诉讼代表人|代表人|出庭负责人|行政机关负责人|共同委托)").expect("representative")
});
static NOT_A_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:诉称|辩称|述称|称|上诉称|答辩|认为|应当|提交|提供|向|对|在|于|的|及|与|请求|主张|申请|不服)").expect("not a name")
});
static ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[（(](?:以下简称|以下称|简称|下称)[：:]?[“”\x22]?([^）)”\x22]{1,20})[”\x22]?[）)]")
        .expect("alias")
});
static AGENCY_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:人民政府|政府|管理委员会|委员会|管委会|办事处|办公室|大队|支队|中队|总局|分局|局|派出所|司法所|税务所|厅|部|署|中心|海关|街道|委)$")
        .expect("agency end")
});
static AGENCY_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:人民政府|政府|管理委员会|委员会|管委会|办事处|办公室|大队|支队|中队|总局|分局|局|派出所|司法所|税务所|厅|署|中心|海关|街道)")
        .expect("agency in")
});
static DEFENDANT_MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:被告|被上诉人|被申请人)(?:[（(][^）)]{1,8}[）)])?([\p{Han}]{2,40})")
        .expect("mention")
});
static PLAINTIFF_OPENING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(原告|起诉人|上诉人|再审申请人|申请执行人)([^，。；]{2,80}?)(?:的|诉|不服|因|与|于\d|向|要求|提起)").expect("opening")
});

/// Is this the name of an administrative agency (行政机关) rather than a person or company?
pub fn is_agency(name: &str) -> bool {
    !name.contains("公司")
        && !name.contains("有限")
        && !name.contains("合作社")
        && !name.contains("银行")
        && !name.contains("律师事务所")
        && !name.contains("居民委员会")
        && !name.contains("村民委员会")
        && !name.contains("业主委员会")
        && name.chars().count() >= 3
        && AGENCY_END.is_match(name)
}

/// Cuts an agency name out of the words following a role: up to the last agency ending before
/// a function word.
fn agency_name(words: &str) -> Option<String> {
    const STOPS: [&str; 16] = [
        "的", "之", "不服", "因", "作出", "于", "对", "向", "诉", "与", "一案", "纠纷", "等", "已",
        "为", "未",
    ];
    let mut end = words.len();
    for s in STOPS {
        if let Some(i) = words.find(s)
            && i > 0
        {
            end = end.min(i);
        }
    }
    let head = &words[..end];
    let head = &head[..head.find(['（', '(']).unwrap_or(head.len())];
    let last = AGENCY_IN.find_iter(head).last()?;
    let name = &head[..last.end()];
    is_agency(name).then(|| name.to_string())
}

fn side_of(role: &str, original: Option<&str>) -> Side {
    if let Some(o) = original {
        if o.contains("原告") {
            return Side::Plaintiff;
        }
        if o.contains("被告") {
            return Side::Defendant;
        }
        if o.contains("第三人") {
            return Side::ThirdParty;
        }
    }
    match role {
        "原告" | "原审原告" | "一审原告" | "起诉人" | "再审申请人" | "申请人" => {
            Side::Plaintiff
        }
        "上诉人" => Side::Plaintiff,
        "被告" | "原审被告" | "一审被告" | "被申请人" | "被再审申请人" | "被上诉人" => {
            Side::Defendant
        }
        "第三人" | "原审第三人" | "一审第三人" => Side::ThirdParty,
        _ => Side::Other,
    }
}

/// The parties of a document. `lines` are the normalised lines; `before` is the text before the
/// operative part.
pub fn parse(lines: &[String], before: &str) -> Vec<Party> {
    let full = before;
    let mut out: Vec<Party> = Vec::new();
    // 1. The party block: the sentences right after the header that start with a role or a
    //    representative (法定代表人, 委托代理人 …), up to the opening sentence
    //    ("上诉人某某因…一案").
    let start = lines
        .iter()
        .take(8)
        .position(|l| l.chars().count() <= 40 && crate::case_number::find(l).is_some())
        .map_or(0, |i| i + 1);
    'block: for line in lines.iter().skip(start).take(30) {
        for sentence in line.split('。') {
            let sentence = sentence.trim();
            if sentence.is_empty() {
                continue;
            }
            if REPRESENTATIVE.is_match(sentence) {
                continue;
            }
            let Some(c) = ROLE_LINE.captures(sentence) else {
                break 'block;
            };
            let rest = &c[3];
            let name_end = rest.find(['，', ',', '（', '(']).unwrap_or(rest.len());
            let name = &rest[..name_end];
            if rest.contains("一案")
                || rest.contains("不服")
                || rest.contains("提起上诉")
                || rest.contains("申请再审")
                || rest.contains("向本院")
                || out.iter().any(|p| p.name == name)
                || name.contains('因')
                || name.contains('：')
                || NOT_A_NAME.is_match(name)
            {
                break 'block;
            }
            if name.is_empty() || name.chars().count() > 40 {
                break 'block;
            }
            let role = c[1].to_string();
            let original = c.get(2).map(|m| m.as_str().to_string());
            let side = if original.is_none()
                && matches!(
                    role.as_str(),
                    "上诉人" | "被上诉人" | "再审申请人" | "被申请人"
                ) {
                // Without the first-instance role, an agency is the defendant side.
                if is_agency(name) {
                    Side::Defendant
                } else {
                    Side::Plaintiff
                }
            } else {
                side_of(&role, original.as_deref())
            };
            let side = if matches!(role.as_str(), "申请执行人" | "被执行人") {
                Side::Other
            } else {
                side
            };
            out.push(Party {
                role,
                original_role: original,
                side,
                name: name.to_string(),
                alias: ALIAS.captures(rest).map(|a| a[1].to_string()),
                is_agency: is_agency(name),
                reconsideration_organ: false,
                lost: None,
                source: "party_block".into(),
            });
        }
    }
    // 2. Segment form: the opening sentence names the plaintiffs; defendants are named wherever
    //    the body says 被告/被上诉人/被申请人 + an agency name.
    if out.is_empty() {
        let opening = before
            .lines()
            .nth(1)
            .or_else(|| before.lines().next())
            .unwrap_or("");
        let opening = before
            .lines()
            .find(|l| l.contains("一案") || l.contains("不服") || l.contains("起诉"))
            .unwrap_or(opening);
        if let Some(c) = PLAINTIFF_OPENING.captures(opening) {
            let role = c[1].to_string();
            for name in c[2].split('、') {
                let name = ALIAS.replace_all(name, "").to_string();
                if name.is_empty() || name.chars().count() > 40 {
                    continue;
                }
                let agency = is_agency(&name);
                // An appellant or retrial applicant that is an agency was the defendant below.
                let side = if agency && matches!(role.as_str(), "上诉人" | "再审申请人") {
                    Side::Defendant
                } else {
                    side_of(&role, None)
                };
                out.push(Party {
                    side,
                    role: role.clone(),
                    original_role: None,
                    is_agency: is_agency(&name),
                    name,
                    alias: None,
                    reconsideration_organ: false,
                    lost: None,
                    source: "text".into(),
                });
            }
        }
    }
    let has_defendants = out.iter().any(|p| p.side == Side::Defendant);
    if !has_defendants {
        let opening = before
            .lines()
            .find(|l| l.contains("一案") || l.contains("不服") || l.contains("起诉"))
            .unwrap_or("");
        let answers: Vec<&str> = before
            .split(['。', '\n'])
            .filter(|s| s.contains("辩称") || s.contains("答辩称"))
            .map(|s| s.split("辩称").next().unwrap_or(""))
            .collect();
        let scope = std::iter::once(opening)
            .chain(answers)
            .collect::<Vec<_>>()
            .join("。");
        let before = scope.as_str();
        let aliases: Vec<String> = ALIAS
            .captures_iter(before)
            .map(|c| c[1].to_string())
            .collect();
        for c in DEFENDANT_MENTION.captures_iter(before) {
            let m0 = c.get(0).expect("match");
            let role = if m0.as_str().starts_with("被上诉人") {
                "被上诉人"
            } else if m0.as_str().starts_with("被申请人") {
                "被申请人"
            } else {
                "被告"
            };
            // Several defendants: "被告甲局、乙局".
            let after = &before[c.get(1).expect("name").start()..];
            let list_end = after.find(['，', '。', '；']).unwrap_or(after.len());
            for piece in after[..list_end].split('、') {
                if piece.starts_with("第三人") {
                    break;
                }
                let Some(name) = agency_name(piece) else {
                    break;
                };
                if aliases.contains(&name)
                    || out
                        .iter()
                        .any(|p| p.name == name || p.alias.as_deref() == Some(name.as_str()))
                {
                    continue;
                }
                let alias = before
                    .find(&name)
                    .and_then(|i| {
                        ALIAS
                            .captures(&before[i + name.len()..])
                            .filter(|a| a.get(0).is_some_and(|m| m.start() == 0))
                    })
                    .map(|a| a[1].to_string());
                out.push(Party {
                    role: role.into(),
                    original_role: None,
                    side: Side::Defendant,
                    is_agency: true,
                    name,
                    alias,
                    reconsideration_organ: false,
                    lost: None,
                    source: "text".into(),
                });
            }
        }
    }
    let before = full;
    // 3. The 复议机关 among two or more defendants: it made a 复议决定.
    let defendants = out
        .iter()
        .filter(|p| p.side == Side::Defendant && p.is_agency)
        .count();
    if defendants >= 2 {
        let names: Vec<String> = out
            .iter()
            .filter(|p| p.side == Side::Defendant && p.is_agency)
            .map(|p| p.name.clone())
            .collect();
        for p in out
            .iter_mut()
            .filter(|p| p.side == Side::Defendant && p.is_agency)
        {
            let own = std::iter::once(p.name.as_str()).chain(p.alias.as_deref());
            let made_decision = own.into_iter().any(|n| {
                before.match_indices(n).any(|(i, _)| {
                    let window: String = before[i + n.len()..].chars().take(40).collect();
                    let Some(at) = window.find("复议决定").or_else(|| window.find("复决"))
                    else {
                        return false;
                    };
                    // Another defendant named in between made it, not this one.
                    let between = &window[..at];
                    !names
                        .iter()
                        .any(|o| o != &p.name && between.contains(o.as_str()))
                })
            });
            p.reconsideration_organ = made_decision;
        }
        // Both cannot be the organ: the one that also made the original act is not.
        if out.iter().filter(|p| p.reconsideration_organ).count() == defendants {
            for p in out.iter_mut() {
                p.reconsideration_organ = false;
            }
        }
    }
    out
}

/// The stage from the role words when the case number does not tell.
pub fn stage_from_roles(parties: &[Party], before: &str) -> Option<Stage> {
    let has = |r: &str| parties.iter().any(|p| p.role == r) || before.starts_with(r);
    if has("上诉人") || before.contains("向本院提起上诉") {
        Some(Stage::Appeal)
    } else if has("再审申请人") || before.contains("向本院申请再审") {
        Some(Stage::RetrialReview)
    } else if has("申请执行人") || before.contains("申请强制执行") {
        Some(Stage::NonLitigationEnforcement)
    } else if has("原告") || has("起诉人") {
        Some(Stage::FirstInstance)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agencies() {
        assert!(is_agency("鹤岗市公安局东山公安分局"));
        assert!(is_agency("上海市浦东新区川沙新镇人民政府"));
        assert!(is_agency(
            "中华人民共和国国家工商行政管理总局商标评审委员会"
        ));
        assert!(!is_agency("上海中资国际贸易有限公司"));
        assert!(!is_agency("李忠成"));
        assert_eq!(
            agency_name("林口县人民政府房屋行政撤销一案").as_deref(),
            Some("林口县人民政府")
        );
        assert_eq!(
            agency_name("鹤岗市公安局东山公安分局不服行政处罚决定").as_deref(),
            Some("鹤岗市公安局东山公安分局")
        );
    }

    #[test]
    fn party_block_and_reconsideration_organ() {
        let lines: Vec<String> = [
            "上诉人（一审原告）夏欣，男，1979年8月20日出生。",
            "被上诉人（一审被告）中华人民共和国国家卫生和计划生育委员会，住所地北京市海淀区知春路14号。",
            "法定代表人李斌，主任。",
            "上诉人夏欣因政府信息公开一案，不服一审判决，向本院提起上诉。",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let p = parse(&lines, &lines.join("\n"));
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].side, p[0].is_agency), (Side::Plaintiff, false));
        assert_eq!((p[1].side, p[1].is_agency), (Side::Defendant, true));
        let before = "原告林口县军粮供应站因被告林口县人民政府房屋行政撤销一案，于2016年12月13日向本院提起行政诉讼。被告牡丹江市人民政府的委托代理人邱学风到庭。2016年11月23日牡丹江市人民政府作出牡政复决［2016］16号《行政复议决定书》。";
        let p = parse(&[], before);
        let d: Vec<(&str, bool)> = p
            .iter()
            .filter(|p| p.side == Side::Defendant)
            .map(|p| (p.name.as_str(), p.reconsideration_organ))
            .collect();
        assert_eq!(d, [("林口县人民政府", false), ("牡丹江市人民政府", true)]);
    }
}
