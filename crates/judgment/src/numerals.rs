//! Chinese numerals as written in court documents: 第一百零一条, 二〇一六年四月二十二日.

/// Value of a Chinese (or Arabic) number: 七十 → 70, 一百零一 → 101, 十五 → 15, 70 → 70.
pub fn parse_number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    if s.chars()
        .all(|c| c.is_ascii_digit() || fullwidth_digit(c).is_some())
    {
        return s
            .chars()
            .map(|c| c.to_digit(10).or_else(|| fullwidth_digit(c)))
            .try_fold(0u32, |acc, d| d.map(|d| acc * 10 + d));
    }
    let mut total = 0u32;
    let mut section = 0u32;
    let mut digit: Option<u32> = None;
    for c in s.chars() {
        if let Some(d) = digit_value(c) {
            // "二〇一六" style: digits in a row mean positional notation.
            if let Some(prev) = digit
                && section == 0
                && total == 0
            {
                digit = Some(prev * 10 + d);
            } else {
                digit = Some(d);
            }
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => {
                total = (total + section + digit.unwrap_or(0)) * 10_000;
                section = 0;
                digit = None;
                continue;
            }
            _ => return None,
        };
        section += digit.unwrap_or(1) * unit;
        digit = None;
    }
    Some(total + section + digit.unwrap_or(0))
}

fn fullwidth_digit(c: char) -> Option<u32> {
    ('０'..='９').contains(&c).then(|| c as u32 - '０' as u32)
}

fn digit_value(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | 'О' | 'o' | 'O' | '○' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// "二〇一六年四月二十二日" or "2016年4月22日" → (2016, 4, 22).
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let s = s.trim();
    let (y, rest) = s.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    let year: String = y
        .chars()
        .map(|c| {
            digit_value(c)
                .or_else(|| c.to_digit(10))
                .or_else(|| fullwidth_digit(c))
                .map(|d| char::from_digit(d, 10).unwrap_or('0'))
        })
        .collect::<Option<String>>()?;
    let year: i32 = year.parse().ok()?;
    let month = parse_number(m)?;
    let day = parse_number(d)?;
    ((1949..=2100).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day))
        .then_some((year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        for (s, v) in [
            ("七十", 70),
            ("七十四", 74),
            ("一百零一", 101),
            ("二百零四", 204),
            ("十五", 15),
            ("十", 10),
            ("一", 1),
            ("五十四", 54),
            ("一百六十", 160),
            ("70", 70),
            ("７０", 70),
        ] {
            assert_eq!(parse_number(s), Some(v), "{s}");
        }
        assert_eq!(parse_number("条"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("二〇一六年四月二十二日"), Some((2016, 4, 22)));
        assert_eq!(parse_date("二〇一九年十二月二十四日"), Some((2019, 12, 24)));
        assert_eq!(parse_date("二〇一七年十月二十四日"), Some((2017, 10, 24)));
        assert_eq!(parse_date("2018年3月5日"), Some((2018, 3, 5)));
        assert_eq!(parse_date("二〇一八年十三月五日"), None);
    }
}
