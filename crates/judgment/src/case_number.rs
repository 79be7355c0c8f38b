//! Case numbers (案号, LEGAL-RULES §8): the 2016 format `（2019）京73行初1872号` and the older
//! `（2013）溆行初字第52号`, with ASCII brackets, spaces or a lost opening bracket tolerated.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::Stage;

/// A case number, normalised (full-width brackets, no spaces) and split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseNumber {
    pub text: String,
    pub year: u16,
    /// 法院代字: 京73, 最高法, 溆 (old format; may be empty there).
    pub court_code: String,
    /// 类型代字: 行初, 行终, 行申, 行赔初 …
    pub case_type: String,
    pub seq: u32,
    /// true for the pre-2016 form with 字第.
    pub old_format: bool,
}

static NEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[（(]?(\d{4})[）)](最高法|[京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔云藏陕甘青宁新军兵](?:\d{4}|\d{2})?)(知)?(行赔(?:初|终|监|申|抗|再|他)|行(?:审复|辖终|保复|初|终|监|申|抗|再|审|他|辖|保)|赔辖终?|司救行|执[恢保异复监协他]?)(\d+)号",
    )
    .expect("case number pattern")
});

static OLD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[（(]?(\d{4})[）)]([\p{Han}\d]{0,8}?)((?:行|赔|执)[\p{Han}]{0,4}?)字第?(\d+)号")
        .expect("old case number pattern")
});

fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect()
}

/// The first case number in `s`.
pub fn find(s: &str) -> Option<CaseNumber> {
    let s = clean(s);
    let new = NEW.captures(&s).map(|c| {
        let start = c.get(0).map_or(0, |m| m.start());
        (
            start,
            CaseNumber {
                text: format!(
                    "（{}）{}{}{}{}号",
                    &c[1],
                    &c[2],
                    c.get(3).map_or("", |m| m.as_str()),
                    &c[4],
                    &c[5]
                ),
                year: c[1].parse().unwrap_or(0),
                court_code: c[2].to_string(),
                case_type: c[4].to_string(),
                seq: c[5].parse().unwrap_or(0),
                old_format: false,
            },
        )
    });
    let old = OLD.captures(&s).map(|c| {
        let start = c.get(0).map_or(0, |m| m.start());
        (
            start,
            CaseNumber {
                text: format!("（{}）{}{}字第{}号", &c[1], &c[2], &c[3], &c[4]),
                year: c[1].parse().unwrap_or(0),
                court_code: c[2].to_string(),
                case_type: c[3].to_string(),
                seq: c[4].parse().unwrap_or(0),
                old_format: true,
            },
        )
    });
    match (new, old) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a.1 } else { b.1 }),
        (a, b) => a.or(b).map(|x| x.1),
    }
}

impl CaseNumber {
    /// The stage the type code stands for.
    pub fn stage(&self) -> Option<Stage> {
        let t = self.case_type.as_str();
        if !t.contains('行') && !t.contains('赔') {
            return None;
        }
        if self.old_format {
            // 行初, 行终, 行再, 行提, 行申, 行监, 行审, 非诉行审, 行立初 …
            return Some(if t.contains('再') || t.contains('提') {
                Stage::Retrial
            } else if t.contains('申') || t.contains('监') || t.contains('抗') {
                Stage::RetrialReview
            } else if t.contains('终') {
                Stage::Appeal
            } else if t.contains('初') {
                Stage::FirstInstance
            } else if t.contains('审') || t.contains("非诉") {
                Stage::NonLitigationEnforcement
            } else {
                return None;
            });
        }
        Some(
            match t.trim_start_matches("行赔").trim_start_matches('行') {
                "初" => Stage::FirstInstance,
                "终" => Stage::Appeal,
                "再" => Stage::Retrial,
                "申" | "监" | "抗" => Stage::RetrialReview,
                "审" | "审复" => Stage::NonLitigationEnforcement,
                _ => return None,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats() {
        let c = find("（2019）京73行初1872号").unwrap();
        assert_eq!(
            (c.text.as_str(), c.year, c.court_code.as_str(), c.seq),
            ("（2019）京73行初1872号", 2019, "京73", 1872)
        );
        assert_eq!(c.stage(), Some(Stage::FirstInstance));
        let c = find("(2017)最高法行申7702号").unwrap();
        assert_eq!(c.text, "（2017）最高法行申7702号");
        assert_eq!(c.stage(), Some(Stage::RetrialReview));
        let c = find("（2013）溆行初字第52号").unwrap();
        assert!(c.old_format);
        assert_eq!(
            (c.court_code.as_str(), c.case_type.as_str()),
            ("溆", "行初")
        );
        assert_eq!(c.stage(), Some(Stage::FirstInstance));
        let c = find("（2015）高行终字第2176号").unwrap();
        assert_eq!(c.stage(), Some(Stage::Appeal));
        let c = find("（2015）绍诸行初字第310号").unwrap();
        assert_eq!(c.text, "（2015）绍诸行初字第310号");
        let c = find("（2018）行初字第170号").unwrap();
        assert_eq!(c.court_code, "");
        assert_eq!(
            find("（2019）鲁0402行审139号").unwrap().stage(),
            Some(Stage::NonLitigationEnforcement)
        );
        assert_eq!(
            find("（2020）最高法知行终197号").unwrap().text,
            "（2020）最高法知行终197号"
        );
        assert_eq!(
            find("（2021）苏01行赔终71号").unwrap().stage(),
            Some(Stage::Appeal)
        );
        assert_eq!(
            find("2017）新2327行申1号").unwrap().text,
            "（2017）新2327行申1号"
        );
        assert_eq!(
            find("（ 2016 ）沪0120 行初 75 号").unwrap().text,
            "（2016）沪0120行初75号"
        );
        assert!(find("2016年4月22日").is_none());
    }
}
