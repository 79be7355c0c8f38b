//! The operative part (主文): its dispositions (判项) in order, and whether the agency lost.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::citation::{Citation, parse_citations};
use crate::parties::{Party, Side};
use crate::{DocKind, Judgment, Stage};

/// The kinds of disposition (issue 6's list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Disposition {
    #[serde(rename = "驳回诉讼请求")]
    RejectClaims,
    #[serde(rename = "撤销")]
    Revoke,
    #[serde(rename = "部分撤销")]
    RevokePartial,
    #[serde(rename = "撤销并责令重作")]
    RevokeRedo,
    #[serde(rename = "确认违法")]
    ConfirmIllegal,
    #[serde(rename = "确认无效")]
    ConfirmVoid,
    #[serde(rename = "责令履行")]
    OrderPerform,
    #[serde(rename = "给付")]
    Pay,
    #[serde(rename = "变更")]
    Modify,
    #[serde(rename = "行政协议责任")]
    AgreementLiability,
    #[serde(rename = "驳回起诉")]
    DismissSuit,
    #[serde(rename = "准予撤诉")]
    Withdrawal,
    #[serde(rename = "按撤诉处理")]
    DeemedWithdrawal,
    #[serde(rename = "不予立案")]
    NotDocketed,
    #[serde(rename = "调解")]
    Mediation,
    #[serde(rename = "驳回上诉维持原判")]
    AppealDismissed,
    #[serde(rename = "改判")]
    Reversed,
    #[serde(rename = "发回重审")]
    Remanded,
    #[serde(rename = "指令继续审理")]
    OrderedToContinue,
    #[serde(rename = "驳回再审申请")]
    RetrialDenied,
    #[serde(rename = "提审或再审")]
    RetrialGranted,
    #[serde(rename = "准予执行")]
    EnforcementGranted,
    #[serde(rename = "不准予执行")]
    EnforcementRefused,
    #[serde(rename = "其他")]
    Other,
}

impl Disposition {
    pub fn label(self) -> &'static str {
        use Disposition::*;
        match self {
            RejectClaims => "驳回诉讼请求",
            Revoke => "撤销",
            RevokePartial => "部分撤销",
            RevokeRedo => "撤销并责令重作",
            ConfirmIllegal => "确认违法",
            ConfirmVoid => "确认无效",
            OrderPerform => "责令履行",
            Pay => "给付",
            Modify => "变更",
            AgreementLiability => "行政协议责任",
            DismissSuit => "驳回起诉",
            Withdrawal => "准予撤诉",
            DeemedWithdrawal => "按撤诉处理",
            NotDocketed => "不予立案",
            Mediation => "调解",
            AppealDismissed => "驳回上诉维持原判",
            Reversed => "改判",
            Remanded => "发回重审",
            OrderedToContinue => "指令继续审理",
            RetrialDenied => "驳回再审申请",
            RetrialGranted => "提审或再审",
            EnforcementGranted => "准予执行",
            EnforcementRefused => "不准予执行",
            Other => "其他",
        }
    }

    /// A disposition against the defendant agency (LEGAL-RULES §4.1).
    pub fn adverse(self) -> bool {
        use Disposition::*;
        matches!(
            self,
            Revoke
                | RevokePartial
                | RevokeRedo
                | ConfirmIllegal
                | ConfirmVoid
                | OrderPerform
                | Pay
                | Modify
                | AgreementLiability
        )
    }

    /// An ending in which the agency did not lose.
    fn favourable(self) -> bool {
        use Disposition::*;
        matches!(
            self,
            RejectClaims | DismissSuit | Withdrawal | DeemedWithdrawal | NotDocketed | Mediation
        )
    }
}

/// One 判项 with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DispositionItem {
    pub kind: Disposition,
    pub text: String,
}

static TERMINATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[一二]审|上诉|本案)?(?:案件)?(?:受理费|诉讼费|申请费)|^(?:[一二]审)?案件受理费|^如不服|^如对本|^本判决|^本裁定|^本调解书|^本决定|^审判长|^审判员|^代理审判员|^人民陪审员|^书记员|^代书记员|^法官助理|^[〇零○一二三四五六七八九十]{4}年[一二三四五六七八九十]{1,2}月")
        .expect("terminator")
});
static NUMBERING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[一二三四五六七八九十]+|\d+)[、.．]").expect("numbering"));

/// Internal kinds resolved after all items are read.
#[derive(Clone, Copy, PartialEq)]
enum Raw {
    Kind(Disposition),
    /// 撤销 of a court's judgment or ruling (appellate).
    CourtRevoke,
    /// An order to make the act again (重新作出), joined to a 撤销.
    Redo,
}

fn classify(t: &str) -> Raw {
    use Disposition::*;
    static RE: LazyLock<Vec<(Raw, Regex)>> = LazyLock::new(|| {
        let k = Raw::Kind;
        [
            (k(AppealDismissed), r"驳回上诉|维持原判|维持原裁定|维持[^。]{0,40}(?:一审|原审|人民法院)[^。]{0,30}(?:判决|裁定)"),
            (k(Remanded), r"发回[^。]{0,30}重(?:审|新审理)"),
            (k(RetrialGranted), r"(?:由本院)?提审|指令[^。]{0,30}再审|本案由本院再审|再审本案|中止原判决的执行"),
            (k(OrderedToContinue), r"指令[^。]{0,40}(?:继续审理|立案受理|受理|审理)"),
            (k(RetrialDenied), r"驳回[^。]{0,40}再审申请"),
            (k(EnforcementRefused), r"不准予(?:强制)?执行|不予(?:强制)?执行"),
            (k(EnforcementGranted), r"准予(?:强制)?执行|准许(?:强制)?执行"),
            (k(DeemedWithdrawal), r"按[^。]{0,12}撤(?:回上)?诉处理|按自动撤回上诉处理"),
            (k(Withdrawal), r"(?:准许|准予|同意)[^。]{0,60}撤(?:回|诉)"),
            (k(NotDocketed), r"不予立案|不予受理"),
            (k(DismissSuit), r"驳回[^。]{0,60}起诉"),
            (k(RejectClaims), r"驳回[^。]{0,80}(?:诉讼请求|诉请|请求)"),
            (Raw::CourtRevoke, r"撤销[^。；]{0,60}(?:人民法院|法院|一审|原审)[^。；]{0,60}(?:判决|裁定)|撤销原(?:判|裁定)"),
            (k(ConfirmVoid), r"确认[^。]{0,160}无效"),
            (k(ConfirmIllegal), r"确认[^。]{0,160}违法"),
            (k(RevokePartial), r"撤销[^。]{0,120}(?:第[一二三四五六七八九十\d]+项|中[^。]{0,40}(?:部分|内容|决定)|部分)"),
            (k(Revoke), r"撤销"),
            (k(Modify), r"变更"),
            (k(AgreementLiability), r"协议[^。]{0,40}(?:继续履行|赔偿|补偿|解除|违约)|(?:继续履行|解除)[^。]{0,40}协议"),
            (k(Pay), r"(?:支付|给付|赔偿|发放|退还)[^。]{0,60}(?:元|款|金|费|待遇|补偿)"),
            (Raw::Redo, r"重新(?:作出|处理|答复|审查|认定|核定|决定)"),
            (k(OrderPerform), r"(?:责令|判令|限|应当|应于|于[^。]{0,20}日内)[^。]{0,80}(?:履行|作出|答复|处理|办理|公开|颁发)"),
        ]
        .into_iter()
        .map(|(k, p)| (k, Regex::new(p).expect("disposition pattern")))
        .collect()
    });
    for (k, re) in RE.iter() {
        if re.is_match(t) {
            return *k;
        }
    }
    Raw::Kind(Other)
}

/// The 判项 of an operative part, in order; `operative` starts right after the lead-in.
pub fn parse(operative: &str, kind: Option<DocKind>) -> Vec<DispositionItem> {
    let operative = operative.trim_start_matches(['：', ':', '\n']);
    let mut texts: Vec<String> = Vec::new();
    'lines: for line in operative.lines() {
        let line = line.trim();
        if TERMINATOR.is_match(line) {
            break;
        }
        for sentence in line.split_inclusive('。') {
            let s = sentence.trim();
            if s.is_empty() {
                continue;
            }
            if TERMINATOR.is_match(s) {
                break 'lines;
            }
            for piece in s.split_inclusive(['；', ';']) {
                let p = piece.trim();
                if p.trim_matches(['；', ';', '。']).is_empty() {
                    continue;
                }
                texts.push(p.to_string());
            }
        }
    }
    if kind == Some(DocKind::Mediation) {
        let text: String = texts.join("");
        return vec![DispositionItem {
            kind: Disposition::Mediation,
            text,
        }];
    }
    classify_all(&texts)
}

/// Classifies a list of 判项 texts (also used on the recited first-instance result).
fn classify_all(texts: &[String]) -> Vec<DispositionItem> {
    let raw: Vec<(Raw, &String)> = texts
        .iter()
        .map(|t| (classify(NUMBERING.replace(t, "").as_ref()), t))
        .collect();
    let has = |d: Disposition| raw.iter().any(|(r, _)| *r == Raw::Kind(d));
    let court_revoke = if has(Disposition::Remanded) {
        Disposition::Remanded
    } else if has(Disposition::OrderedToContinue) {
        Disposition::OrderedToContinue
    } else if has(Disposition::RetrialGranted) {
        Disposition::RetrialGranted
    } else {
        Disposition::Reversed
    };
    let mut out: Vec<DispositionItem> = Vec::new();
    for (r, t) in raw {
        let kind = match r {
            Raw::Kind(k) => k,
            Raw::CourtRevoke => court_revoke,
            Raw::Redo => {
                // 重新作出 after a 撤销: one 撤销并责令重作 judgment (行诉法 70).
                if let Some(prev) = out.iter_mut().rev().find(|i| {
                    matches!(
                        i.kind,
                        Disposition::Revoke | Disposition::RevokePartial | Disposition::RevokeRedo
                    )
                }) {
                    prev.kind = Disposition::RevokeRedo;
                    Disposition::RevokeRedo
                } else {
                    Disposition::OrderPerform
                }
            }
        };
        // A 撤销 that itself orders the act made again.
        let kind = if kind == Disposition::Revoke && classify_redo(t) {
            Disposition::RevokeRedo
        } else {
            kind
        };
        out.push(DispositionItem {
            kind,
            text: t.trim_end_matches(['；', ';']).to_string(),
        });
    }
    out
}

fn classify_redo(t: &str) -> bool {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"重新(?:作出|处理|答复|审查|认定|决定)").expect("redo"));
    RE.is_match(t)
}

pub struct Context<'a> {
    pub items: &'a [DispositionItem],
    pub stage: Option<Stage>,
    pub parties: &'a [Party],
    pub before: &'a str,
    pub date: Option<(i32, u32, u32)>,
}

pub struct Outcome {
    pub lost: Option<bool>,
    pub basis: String,
    /// The first-instance basis an upheld appeal recites (for the loss grounds).
    pub recited_basis: Vec<Citation>,
}

fn outcome(lost: Option<bool>, basis: impl Into<String>) -> Outcome {
    Outcome {
        lost,
        basis: basis.into(),
        recited_basis: Vec::new(),
    }
}

/// Did the agency lose? For an appeal or a retrial review that leaves the earlier decision
/// standing, from the earlier result the text recites, else from who appealed (stated as an
/// inference in the basis).
pub fn agency_lost(cx: &Context) -> Outcome {
    use Disposition::*;
    let Some(first) = cx.items.first() else {
        return outcome(None, "主文无法识别，不能判断行政机关是否败诉");
    };
    if cx.stage == Some(Stage::NonLitigationEnforcement)
        || matches!(first.kind, EnforcementGranted | EnforcementRefused)
    {
        return outcome(
            None,
            "非诉执行审查案件：行政机关是申请执行人，不是被诉一方，不适用败诉认定",
        );
    }
    let agency_plaintiff = cx.parties.iter().any(|p| {
        p.side == Side::Plaintiff && p.is_agency && p.role != "上诉人" && p.role != "再审申请人"
    });
    let agency_defendant = cx
        .parties
        .iter()
        .any(|p| p.side == Side::Defendant && p.is_agency);
    if agency_plaintiff && !agency_defendant {
        return outcome(
            None,
            "起诉人为行政机关，不是针对行政机关的诉讼，不适用败诉认定",
        );
    }
    let k = first.kind;
    if k.adverse() {
        return outcome(
            Some(true),
            format!("主文判项“{}”属于对行政机关不利的判决", first.text),
        );
    }
    if k.favourable() && cx.stage != Some(Stage::Appeal) && k != Withdrawal {
        return outcome(Some(false), format!("主文判项“{}”不属于败诉", first.text));
    }
    match k {
        Withdrawal if cx.stage == Some(Stage::Appeal) && first.text.contains("上诉") => {
            appeal_upheld(cx, "准许撤回上诉，一审裁判生效")
        }
        Withdrawal => outcome(
            Some(false),
            format!("主文判项“{}”：准予撤诉不计为败诉", first.text),
        ),
        RejectClaims | DismissSuit | NotDocketed | DeemedWithdrawal | Mediation => {
            outcome(Some(false), format!("主文判项“{}”不属于败诉", first.text))
        }
        Reversed => {
            let rest = &cx.items[1..];
            if let Some(a) = rest.iter().find(|i| i.kind.adverse()) {
                outcome(Some(true), format!("二审（再审）改判：“{}”", a.text))
            } else if let Some(f) = rest.iter().find(|i| i.kind.favourable()) {
                outcome(Some(false), format!("二审（再审）改判：“{}”", f.text))
            } else {
                outcome(None, "改判内容无法识别")
            }
        }
        Remanded | OrderedToContinue => outcome(
            Some(false),
            format!(
                "主文“{}”：案件回到原审法院，尚无对行政机关不利的实体裁判",
                first.text
            ),
        ),
        RetrialGranted => outcome(None, "再审尚未审结，结果未定"),
        AppealDismissed => appeal_upheld(cx, "驳回上诉，维持原裁判"),
        RetrialDenied => {
            let applicant = cx.parties.iter().find(|p| p.role == "再审申请人");
            match applicant {
                Some(p) if p.is_agency => outcome(
                    Some(true),
                    format!(
                        "推定：再审申请人{}为行政机关，驳回其再审申请，原对其不利的生效裁判维持",
                        p.name
                    ),
                ),
                Some(p) => outcome(
                    Some(false),
                    format!(
                        "推定：再审申请人{}为行政相对人，驳回其再审申请，原生效裁判（未判行政机关败诉）维持",
                        p.name
                    ),
                ),
                None => outcome(None, "驳回再审申请，但无法确定申请人是哪一方"),
            }
        }
        _ => outcome(
            None,
            format!("主文判项“{}”不属于可判断胜败诉的判项", first.text),
        ),
    }
}

static RECITAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:判决|裁定)[：:]([^。]{2,400})|遂(?:判决|裁定)([^。]{2,300})|(?:一审|原审)(?:法院)?(?:判决|裁定)((?:驳回|撤销|确认|责令|判令|准予|准许)[^。，]{2,200})")
        .expect("recital")
});

/// An appeal (or withdrawn appeal) that leaves the first-instance decision standing.
fn appeal_upheld(cx: &Context, what: &str) -> Outcome {
    static RULING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"不服[^。]{0,80}(?:行政)?裁定").expect("ruling"));
    static JUDGMENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"不服[^。]{0,80}(?:行政)?判决").expect("judgment"));
    let ruling_appealed = cx.items.iter().any(|i| i.text.contains("原裁定"))
        || RULING.is_match(cx.before) && !JUDGMENT.is_match(cx.before);
    if ruling_appealed {
        return outcome(
            Some(false),
            format!("{what}：一审为裁定（驳回起诉、不予立案等程序性处理），行政机关未败诉"),
        );
    }
    for c in RECITAL.captures_iter(cx.before) {
        let m = c.get(1).or(c.get(2)).or(c.get(3)).expect("group");
        let texts: Vec<String> = m
            .as_str()
            .split(['；', ';'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let items = classify_all(&texts);
        let Some(p) = items.first() else { continue };
        if p.kind.adverse() {
            let sentence_start = cx.before[..m.start()].rfind(['。', '\n']).map_or(0, |i| {
                i + cx.before[i..].chars().next().map_or(0, char::len_utf8)
            });
            return Outcome {
                lost: Some(true),
                basis: format!("{what}；原审判决“{}”对行政机关不利", p.text),
                recited_basis: parse_citations(&cx.before[sentence_start..m.start()], cx.date),
            };
        }
        if p.kind.favourable() {
            return outcome(Some(false), format!("{what}；原审判决“{}”", p.text));
        }
    }
    match cx.parties.iter().find(|p| p.role == "上诉人") {
        Some(p) if p.is_agency => outcome(
            Some(true),
            format!(
                "推定：上诉人{}为行政机关，{what}（文书未复述一审判项）",
                p.name
            ),
        ),
        Some(p) => outcome(
            Some(false),
            format!(
                "推定：上诉人{}为行政相对人，{what}（文书未复述一审判项）",
                p.name
            ),
        ),
        None => outcome(
            None,
            format!("{what}，但文书未复述一审结果，也无法确定上诉人"),
        ),
    }
}

/// The loss flag per defendant agency: a defendant named in an adverse 判项 lost; when the
/// adverse 判项 name no defendant, all of them did.
pub fn mark_defendants(j: &mut Judgment) {
    let adverse: Vec<&DispositionItem> = j
        .disposition_items
        .iter()
        .filter(|i| i.kind.adverse())
        .collect();
    let named = |p: &Party, text: &str| {
        text.contains(&p.name) || p.alias.as_deref().is_some_and(|a| text.contains(a))
    };
    let any_named = j
        .parties
        .iter()
        .filter(|p| p.side == Side::Defendant && p.is_agency)
        .any(|p| adverse.iter().any(|i| named(p, &i.text)));
    let lost = j.agency_lost;
    for p in j
        .parties
        .iter_mut()
        .filter(|p| p.side == Side::Defendant && p.is_agency)
    {
        p.lost = match lost {
            Some(true) if any_named => Some(adverse.iter().any(|i| {
                i.text.contains(&p.name) || p.alias.as_deref().is_some_and(|a| i.text.contains(a))
            })),
            other => other,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(op: &str) -> Vec<&'static str> {
        parse(op, Some(DocKind::Judgment))
            .iter()
            .map(|i| i.kind.label())
            .collect()
    }

    #[test]
    fn operative_parts() {
        assert_eq!(
            kinds("驳回上诉，维持原判。上诉案件受理费人民币50元，由上诉人负担。本判决为终审判决"),
            ["驳回上诉维持原判"]
        );
        assert_eq!(
            kinds(
                "一、确认被告临沂市人民政府不履行行政复议法定职责行为违法。\n二、责令被告临沂市人民政府于本判决生效之日起60日内履行行政复议的法定职责。\n案件受理费50元，由被告负担。"
            ),
            ["确认违法", "责令履行"]
        );
        assert_eq!(
            kinds(
                "一、撤销被告作出的商评字［2018］第192009号决定；\n二、被告国家知识产权局就原告提出的驳回复审申请重新作出决定。\n案件受理费人民币一百元"
            ),
            ["撤销并责令重作", "撤销并责令重作"]
        );
        assert_eq!(
            kinds(
                "一、撤销秦皇岛市海港区人民法院（2017）冀0302行初62号行政裁定。\n二、本案指令秦皇岛市海港区人民法院继续审理。\n本裁定为终审裁定"
            ),
            ["指令继续审理", "指令继续审理"]
        );
        assert_eq!(
            kinds("一、撤销某区人民法院（2018）行初1号行政判决；二、驳回原告的诉讼请求。"),
            ["改判", "驳回诉讼请求"]
        );
        assert_eq!(kinds("本案按照原告李忠成撤诉处理。"), ["按撤诉处理"]);
        assert_eq!(
            kinds("对磴口县国土资源局的起诉，本院不予立案。"),
            ["不予立案"]
        );
        assert_eq!(kinds("驳回原告对成都铁路局的起诉。"), ["驳回起诉"]);
        assert_eq!(
            kinds("驳回再审申请人双来春、双来惠的再审申请"),
            ["驳回再审申请"]
        );
        assert_eq!(
            kinds(
                "准予执行某局作出的处罚决定第1项，由申请执行人组织实施。\n本裁定书送达后立即生效。"
            ),
            ["准予执行"]
        );
        assert_eq!(
            kinds("撤销被告作出的处罚决定中罚款5000元的部分。"),
            ["部分撤销"]
        );
        assert_eq!(kinds("确认被告作出的征收决定无效。"), ["确认无效"]);
        assert_eq!(
            kinds("被告于本判决生效之日起三十日内向原告支付抚恤金12000元。"),
            ["给付"]
        );
        assert_eq!(kinds("变更被告作出的罚款决定为罚款500元。"), ["变更"]);
    }
}
