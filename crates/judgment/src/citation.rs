//! Cited legal basis (法律依据), normalised to (law, version, article, paragraph, item), and the
//! loss grounds (败诉原因, LEGAL-RULES §4) that the articles of the 行政诉讼法 stand for.
//!
//! Handles the spellings found in published documents: `第七十条第（一）、（二）项`,
//! `第七十四条二款(一)项`, `第六十三条（十）项`, `第八十九条第一款第二项`, a missing 条
//! (`第七十第（二）项`), 1989 numbering with 目 (`第五十四条第（二）项第2目`), and law names
//! mangled by the publishing site (`《最高人民法院关于适用的解释》`, `﹤…﹥`, nested `《《》》`,
//! a line break inside the title).

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::numerals::parse_number;

/// One cited provision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// Canonical short name: 行政诉讼法, 行诉法解释, 行诉法若干问题解释, 行政复议法 …
    pub law: String,
    /// The version in force: 1989 / 2014 / 2017 for the 行政诉讼法, 2000 / 2015 / 2018 for its
    /// interpretations; `None` where the document does not say and the law has one version here.
    pub version: Option<String>,
    pub article: u32,
    pub paragraph: Option<u32>,
    pub item: Option<u32>,
    /// 目 (sub-item) of the 1989 law's article 54.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_item: Option<u32>,
    /// The law's name as written.
    pub law_as_written: String,
}

impl Citation {
    /// "行政诉讼法（2017）第七十条第一款第（二）项" style label, with Arabic numbers.
    pub fn label(&self) -> String {
        let mut s = self.law.clone();
        if let Some(v) = &self.version {
            s.push_str(&format!("（{v}）"));
        }
        s.push_str(&format!("第{}条", self.article));
        if let Some(p) = self.paragraph {
            s.push_str(&format!("第{p}款"));
        }
        if let Some(i) = self.item {
            s.push_str(&format!("第{i}项"));
        }
        if let Some(m) = self.sub_item {
            s.push_str(&format!("第{m}目"));
        }
        s
    }
}

/// Which 行政诉讼法 was in force on a date (the 2014 amendment from 2015-05-01, the 2017 one
/// from 2017-07-01).
pub fn litigation_law_version(date: Option<(i32, u32, u32)>) -> Option<&'static str> {
    let (y, m, d) = date?;
    let key = (y, m, d);
    Some(if key < (2015, 5, 1) {
        "1989"
    } else if key < (2017, 7, 1) {
        "2014"
    } else {
        "2017"
    })
}

/// Canonical name and version of a law as written (brackets and mangling tolerated).
pub fn normalise_law(written: &str, date: Option<(i32, u32, u32)>) -> (String, Option<String>) {
    let w: String = written
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '《' | '》'
                    | '〈'
                    | '〉'
                    | '﹤'
                    | '﹥'
                    | '<'
                    | '>'
                    | '＜'
                    | '＞'
                    | '\n'
                    | ' '
                    | '\u{3000}'
            )
        })
        .collect();
    let explicit = EXPLICIT_VERSION.captures(&w).map(|c| c[1].to_string());
    let base = EXPLICIT_VERSION.replace_all(&w, "").to_string();
    let base = base.trim_start_matches("中华人民共和国").to_string();
    let interpretation = base.contains("最高人民法院") && base.contains("解释");
    if interpretation
        && (base.contains("行政诉讼法")
            || base.contains("关于适用的解释")
            || base.contains("关于执行若干问题")
            || base.contains("关于适用若干问题"))
    {
        // 法释〔2000〕8号 (执行…若干问题的解释), 〔2015〕9号 (适用…若干问题的解释),
        // 〔2018〕1号 (适用…的解释).
        let v = if base.contains("执行") {
            "2000"
        } else if base.contains("若干问题") {
            "2015"
        } else {
            "2018"
        };
        let name = if v == "2018" {
            "行诉法解释"
        } else {
            "行诉法若干问题解释"
        };
        return (name.to_string(), Some(v.to_string()));
    }
    if base == "行政诉讼法" {
        let v = explicit.or_else(|| litigation_law_version(date).map(str::to_string));
        return ("行政诉讼法".to_string(), v);
    }
    (base, explicit)
}

static EXPLICIT_VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[（(](\d{4})年?(?:修正|修订|修改)?[）)]").expect("version"));

/// A law name in 《》 (possibly with nested brackets or a line break inside), or a bare
/// 行政诉讼法.
static LAW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"《(?:[^《》]|《[^《》]*》)*》|(?:中华人民共和国)?行政诉讼法").expect("law")
});

/// Article tokens: 第七十条, 第（二）项, 二款, (一)项, 第2目, a bare 第七十 before 第/（.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"第?([零〇一二三四五六七八九十百千两\d０-９]+)\s*(条|款|项|目)|[（(]([零〇一二三四五六七八九十\d０-９]+)[)）]\s*(项|目)?|第([零〇一二三四五六七八九十百千两\d]+)(?:[第（(])",
    )
    .expect("token")
});

/// Every provision cited in `s` (a basis sentence such as "依照《…》第七十条第（一）、（二）项、
/// 《…》第十条第一款的规定").
pub fn parse_citations(s: &str, date: Option<(i32, u32, u32)>) -> Vec<Citation> {
    let s: String = s
        .chars()
        .filter(|c| *c != '\n' && *c != '\u{3000}')
        .collect();
    let laws: Vec<(usize, usize, String)> = LAW
        .find_iter(&s)
        .map(|m| (m.start(), m.end(), m.as_str().to_string()))
        .collect();
    let mut out = Vec::new();
    for (i, (_, end, name)) in laws.iter().enumerate() {
        let stop = laws.get(i + 1).map_or(s.len(), |l| l.0);
        let tail = &s[*end..stop];
        let (law, version) = normalise_law(name, date);
        parse_articles(tail, &law, version.as_deref(), name, &mut out);
    }
    out
}

fn parse_articles(
    tail: &str,
    law: &str,
    version: Option<&str>,
    written: &str,
    out: &mut Vec<Citation>,
) {
    #[derive(Default)]
    struct Cur {
        article: Option<u32>,
        paragraph: Option<u32>,
        item: Option<u32>,
        // Something under the current article/paragraph/item was emitted.
        emitted: bool,
    }
    let mut cur = Cur::default();
    let emit = |cur: &mut Cur, item: Option<u32>, sub: Option<u32>, out: &mut Vec<Citation>| {
        if let Some(a) = cur.article {
            out.push(Citation {
                law: law.to_string(),
                version: version.map(str::to_string),
                article: a,
                paragraph: cur.paragraph,
                item,
                sub_item: sub,
                law_as_written: written.to_string(),
            });
            cur.emitted = true;
        }
    };
    let mut last_end = 0;
    for c in TOKEN.captures_iter(tail) {
        let m = c.get(0).expect("match");
        // Stop at the end of the citation: prose between tokens ("的规定，判决如下").
        let gap = &tail[last_end..m.start()];
        if gap.chars().any(|ch| {
            !matches!(
                ch,
                '、' | '，' | ',' | '和' | '及' | '与' | '以' | '第' | ' ' | '；'
            )
        }) {
            break;
        }
        last_end = m.end();
        // "第七十" before 第/（: an article whose 条 was dropped.
        if let Some(n) = c.get(5) {
            let Some(n) = parse_number(n.as_str()) else {
                continue;
            };
            if cur.article.is_some() && !cur.emitted {
                let item = cur.item;
                emit(&mut cur, item, None, out);
            }
            cur = Cur {
                article: Some(n),
                ..Cur::default()
            };
            // The lookahead character (第 or （) belongs to the next token.
            last_end = m.end() - m.as_str().chars().last().map_or(0, char::len_utf8);
            continue;
        }
        let (num, unit) = match (c.get(1), c.get(2), c.get(3)) {
            (Some(n), Some(u), _) => (n.as_str(), u.as_str()),
            (_, _, Some(n)) => (n.as_str(), c.get(4).map_or("项", |u| u.as_str())),
            _ => continue,
        };
        let Some(n) = parse_number(num) else { continue };
        match unit {
            "条" => {
                if cur.article.is_some() && !cur.emitted {
                    emit(&mut cur, None, None, out);
                }
                cur = Cur {
                    article: Some(n),
                    ..Cur::default()
                };
            }
            "款" => {
                if cur.paragraph.is_some() && !cur.emitted {
                    emit(&mut cur, None, None, out);
                }
                cur.paragraph = Some(n);
                cur.item = None;
                cur.emitted = false;
            }
            "项" => {
                cur.item = Some(n);
                emit(&mut cur, Some(n), None, out);
            }
            _ => {
                // 目: replaces the item-level citation just emitted by a finer one.
                if let Some(last) = out.last()
                    && last.article == cur.article.unwrap_or(0)
                    && last.item == cur.item
                    && last.sub_item.is_none()
                    && cur.emitted
                {
                    out.pop();
                }
                let item = cur.item;
                emit(&mut cur, item, Some(n), out);
            }
        }
    }
    if cur.article.is_some() && !cur.emitted {
        emit(&mut cur, None, None, out);
    }
}

/// The loss-ground taxonomy (LEGAL-RULES §4).
pub const GROUNDS: [&str; 12] = [
    "主要证据不足",
    "适用法律法规错误",
    "违反法定程序",
    "超越职权",
    "滥用职权",
    "明显不当",
    "不履行法定职责",
    "重大且明显违法",
    "违法但不具有可撤销内容",
    "被告改变原违法行政行为",
    "不依法履行行政协议",
    "不履行给付义务",
];

/// The ground an adverse-judgment article stands for, if it names one.
pub fn ground_of(c: &Citation) -> Option<&'static str> {
    let item70 = |i: u32| match i {
        1 => Some("主要证据不足"),
        2 => Some("适用法律法规错误"),
        3 => Some("违反法定程序"),
        4 => Some("超越职权"),
        5 => Some("滥用职权"),
        6 => Some("明显不当"),
        _ => None,
    };
    match (c.law.as_str(), c.version.as_deref()) {
        ("行政诉讼法", Some("1989")) => match (c.article, c.item, c.sub_item) {
            (54, Some(2), Some(m)) => item70(m).filter(|_| m <= 5),
            (54, Some(3), _) => Some("不履行法定职责"),
            (54, Some(4), _) => Some("明显不当"),
            _ => None,
        },
        ("行政诉讼法", _) => match (c.article, c.paragraph, c.item) {
            (70, _, Some(i)) => item70(i),
            (72, _, _) => Some("不履行法定职责"),
            (73, _, _) => Some("不履行给付义务"),
            (74, Some(1), Some(2)) => Some("违反法定程序"),
            (74, Some(2), Some(1)) => Some("违法但不具有可撤销内容"),
            (74, Some(2), Some(2)) => Some("被告改变原违法行政行为"),
            (74, Some(2), Some(3)) => Some("不履行法定职责"),
            (75, _, _) => Some("重大且明显违法"),
            (77, _, _) => Some("明显不当"),
            (78, _, _) => Some("不依法履行行政协议"),
            _ => None,
        },
        ("行诉法若干问题解释", Some("2000")) => match (c.article, c.paragraph, c.item) {
            (57, Some(2), Some(1)) => Some("不履行法定职责"),
            (57, Some(2), Some(2)) => Some("违法但不具有可撤销内容"),
            (57, Some(2), Some(3)) => Some("重大且明显违法"),
            _ => None,
        },
        _ => None,
    }
}

/// Grounds named in the court's reasoning, for adverse results whose articles do not name one
/// (e.g. 第七十四条第二款第（一）项 "不具有可撤销内容", or a 1989 第五十四条第（二）项 without 目).
pub fn grounds_in_text(reasoning: &str) -> Vec<(&'static str, String)> {
    static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
        [
            ("主要证据不足", r"主要证据不足|证据不足|认定事实不清|事实不清"),
            ("适用法律法规错误", r"适用法律[、，]?(?:法规)?错误|适用法律不当|法律依据错误|缺乏法律依据"),
            (
                "违反法定程序",
                r"违反法定程序|程序违法|未(?:依法)?履行[^。；，]{0,12}程序|未告知[^。；]{0,20}权利|剥夺[^。；]{0,10}(?:陈述|申辩|听证)",
            ),
            ("超越职权", r"超越职权|超越法定职权|超出[^。；]{0,6}职权"),
            ("滥用职权", r"滥用职权"),
            ("明显不当", r"明显不当|显失公正"),
            ("不履行法定职责", r"不履行[^。；，]{0,12}(?:法定)?职责|拒不履行|拖延履行|行政不作为|构成不作为"),
            ("重大且明显违法", r"重大且明显违法"),
        ]
        .into_iter()
        .map(|(g, p)| (g, Regex::new(p).expect("ground pattern")))
        .collect()
    });
    static NEGATED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"诉称|上诉称|辩称|认为[^。]{0,30}(?:正确|合法|并无不当)|不存在|并无|不能成立|不予支持|理由不成立")
            .expect("negation")
    });
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for sentence in reasoning.split(['。', '；']) {
        if NEGATED.is_match(sentence) {
            continue;
        }
        for (g, re) in PATTERNS.iter() {
            if let Some(m) = re.find(sentence)
                && !out.iter().any(|(x, _)| x == g)
            {
                out.push((g, m.as_str().to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arts(s: &str, date: Option<(i32, u32, u32)>) -> Vec<String> {
        parse_citations(s, date)
            .iter()
            .map(Citation::label)
            .collect()
    }

    #[test]
    fn spellings() {
        let d = Some((2019, 12, 24));
        assert_eq!(
            arts(
                "依照《中华人民共和国行政诉讼法》第七十条第（一）、（二）项之规定",
                d
            ),
            [
                "行政诉讼法（2017）第70条第1项",
                "行政诉讼法（2017）第70条第2项"
            ]
        );
        assert_eq!(
            arts("依照《中华人民共和国行政诉讼法》第七十四条二款(一)项", d),
            ["行政诉讼法（2017）第74条第2款第1项"]
        );
        assert_eq!(
            arts(
                "依照《中华人民共和国行政诉讼法》第七十四条第二款第（一）项、《最高人民法院关于执行〈中华人民共和国行政诉讼法〉若干问题的解释》第五十七条第二款第（二）项之规定",
                Some((2016, 1, 28))
            ),
            [
                "行政诉讼法（2014）第74条第2款第1项",
                "行诉法若干问题解释（2000）第57条第2款第2项"
            ]
        );
        assert_eq!(
            arts(
                "依据《最高人民法院关于适用〈中华人民共和国行政诉讼法〉的解释》第六十九条第一款（二）项、第三款之规定",
                d
            ),
            [
                "行诉法解释（2018）第69条第1款第2项",
                "行诉法解释（2018）第69条第3款"
            ]
        );
        assert_eq!(
            arts(
                "依照《中华人民共和国行政诉讼法》第八十九条第一款第二项、《最高人民法院关于执行若干问题的解释》第六十八条之规定",
                Some((2018, 3, 5))
            ),
            [
                "行政诉讼法（2017）第89条第1款第2项",
                "行诉法若干问题解释（2000）第68条"
            ]
        );
        assert_eq!(
            arts(
                "依照《中华人民共和国行政诉讼法》第五十一条、《最高人民法院关于执行﹤中华人民共和国行政诉讼法﹥若干问题的解释》第六十三条（十）项的规定",
                Some((2013, 11, 15))
            ),
            [
                "行政诉讼法（1989）第51条",
                "行诉法若干问题解释（2000）第63条第10项"
            ]
        );
        assert_eq!(
            arts(
                "依照《中华人民共和国行政诉讼法》第九十七条，《最高人民法院关于适用\n的解释》第一百六十条第一款之规定",
                Some((2019, 11, 24))
            ),
            ["行政诉讼法（2017）第97条", "行诉法解释（2018）第160条第1款"]
        );
        assert_eq!(
            arts(
                "根据《最高人民法院关于适用《中华人民共和国行政诉讼法》若干问题的解释》第三条第二款规定",
                Some((2017, 12, 27))
            ),
            ["行诉法若干问题解释（2015）第3条第2款"]
        );
        assert_eq!(
            arts(
                "依照《中华人民共和国行政诉讼法》第五十四条第（二）项第2目、第3目的规定",
                Some((2014, 3, 1))
            ),
            [
                "行政诉讼法（1989）第54条第2项第2目",
                "行政诉讼法（1989）第54条第2项第3目"
            ]
        );
        // A dropped 条.
        assert_eq!(
            arts("依照《行政诉讼法》第七十第（二）项的规定", d),
            ["行政诉讼法（2017）第70条第2项"]
        );
        assert_eq!(
            arts(
                "依照《中华人民共和国行政诉讼法（2017修正）》第五十一条第二款的规定，裁定如下",
                Some((2018, 11, 30))
            ),
            ["行政诉讼法（2017）第51条第2款"]
        );
        assert_eq!(
            arts(
                "依照《中华人民共和国行政诉讼法》第六十二条、《诉讼费用交纳办法》第十五条的规定",
                d
            ),
            ["行政诉讼法（2017）第62条", "诉讼费用交纳办法第15条"]
        );
        assert_eq!(
            arts(
                "依照《中华人民共和国行政诉讼法》第一百零一条、《中华人民共和国民事诉讼法》第二百零四条第一款之规定",
                d
            ),
            ["行政诉讼法（2017）第101条", "民事诉讼法第204条第1款"]
        );
    }

    #[test]
    fn grounds() {
        let c = parse_citations(
            "依照《中华人民共和国行政诉讼法》第五十四条第（三）项的规定",
            Some((2014, 11, 10)),
        );
        assert_eq!(ground_of(&c[0]), Some("不履行法定职责"));
        let c = parse_citations("依照《行政诉讼法》第七十条第（六）项", Some((2020, 1, 1)));
        assert_eq!(ground_of(&c[0]), Some("明显不当"));
        let t = grounds_in_text(
            "被告拆除前未作出决定，更未履行催告、公告程序，违反法律规定。被告辩称程序违法不能成立",
        );
        assert_eq!(t[0].0, "违反法定程序");
        assert_eq!(t.len(), 1);
    }
}
