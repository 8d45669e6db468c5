//! Property tests of the generated validators.
//!
//! Strategies build VALID `CreateCouponStockRequest`s and `ListStocksRequest`s (names of 1..=20
//! characters mixing 汉字, letters, digits and allowed punctuation; limits 1..=10; times inside
//! the documented windows relative to a [`FixedClock`]; …) and check that `validate_at` passes.
//! Then each case applies ONE mutation that breaks exactly one documented rule (the strategy
//! picks the kind and its parameters) and checks that exactly one violation is reported, at the
//! expected path, for the expected rule.

use proptest::prelude::*;
use proptest::sample::select;
use std::ops::RangeInclusive;
use wechatpay_marketing::favor::{
    BackgroundColor, CouponRule, CreateCouponStockRequest, FavorAvailableTime, FixedAvailableTime,
    FixedValueStockMsg, JumpTarget, ListStocksRequest, PatternInfo, StockRule, StockStatus,
    StockType, TradeType,
};
use wechatpay_marketing::runtime::validation::parse_rfc3339;
use wechatpay_marketing::{FixedClock, Rule, Validate};

/// 2030-01-01T00:00:00+08:00: "now" for every case.
const NOW: i64 = 1_893_427_200;
const DAY: i64 = 86_400;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// RFC 3339 text of `unix` seconds in the UTC offset `offset_min`, with fraction `frac`.
fn ts_in(unix: i64, offset_min: i64, frac: &str) -> String {
    let local = unix + offset_min * 60;
    let (y, m, d) = civil(local.div_euclid(DAY));
    let s = local.rem_euclid(DAY);
    let off = if offset_min == 0 {
        "Z".to_string()
    } else {
        let sign = if offset_min < 0 { '-' } else { '+' };
        format!(
            "{sign}{:02}:{:02}",
            offset_min.abs() / 60,
            offset_min.abs() % 60
        )
    };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{frac}{off}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Breaks a valid RFC 3339 timestamp in one of several ways.
fn break_ts(s: &str, kind: u8) -> String {
    let broken = match kind % 8 {
        0 => format!("{}{}", &s[..16], &s[19..]), // no seconds: 2025-01-01T00:00+08:00
        1 => s.replacen('T', " ", 1),             // space instead of T
        2 => s[..19].to_string(),                 // no offset
        3 => {
            // offset without colon
            if let Some(stripped) = s.strip_suffix('Z') {
                format!("{stripped}+0800")
            } else {
                let (head, off) = s.split_at(s.len() - 6);
                format!("{head}{}", off.replace(':', ""))
            }
        }
        4 => s[..10].to_string(),                 // date only
        5 => format!("{}13{}", &s[..5], &s[7..]), // month 13
        6 => format!("{s} "),                     // trailing space
        _ => format!("２{}", &s[1..]),            // full-width digit
    };
    assert!(parse_rfc3339(&broken).is_none(), "{broken} must be invalid");
    broken
}

/// (path, rule) of every violation.
fn violations<T: Validate>(req: &T) -> Vec<(String, Rule)> {
    match req.validate_at(&FixedClock(NOW)) {
        Ok(()) => Vec::new(),
        Err(e) => e
            .into_violations()
            .into_iter()
            .map(|v| (v.path, v.rule))
            .collect(),
    }
}

/// 汉字, letters, digits and punctuation that stock_name allows (full-width ，is fine: only the
/// ASCII `_ , ; |` are forbidden).
const NAME_CHARS: &[char] = &[
    '微', '信', '支', '付', '代', '金', '券', '批', '次', '满', '减', '测', 'a', 'B', 'z', 'Q',
    'x', '0', '5', '9', '-', ' ', '!', '#', '，', '（', '）', '8',
];
const ORDER_CHARS: &[char] = &[
    'a', 'Z', 'm', 'Q', '0', '1', '9', '|', '_', '*', '-', 'x', 'K', '5',
];
const DIGITS: &[char] = &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const TEXT_CHARS: &[char] = &[
    '使', '用', '说', '明', 'A', 'b', '1', '/', '.', ':', '_', ' ', '|', ',',
];

fn string_of(chars: &'static [char], len: RangeInclusive<usize>) -> BoxedStrategy<String> {
    prop::collection::vec(select(chars), len)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

/// A lower-case word: never a documented value of an upper-case enum.
fn lower_word() -> BoxedStrategy<String> {
    "[a-z]{1,12}".boxed()
}

// ---------------------------------------------------------------------------------------------
// Valid CreateCouponStockRequest
// ---------------------------------------------------------------------------------------------

/// A valid request, with the instants and offset its times were written with.
#[derive(Debug, Clone)]
struct ValidStock {
    req: CreateCouponStockRequest,
    begin: i64,
    span: i64,
    offset: i64,
}

fn offsets() -> BoxedStrategy<i64> {
    select(vec![480i64, 0, -300, 345, 600, -720, 840]).boxed()
}

fn stock_rule() -> impl Strategy<Value = StockRule> {
    (
        prop_oneof![Just(1i64), 1i64..=1_000_000_000],
        prop_oneof![Just(0i64), 0i64..=i64::MAX],
        proptest::option::of(0i64..=1_000_000),
        prop_oneof![Just(1i64), 1i64..=100],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(mc, ma, mad, mcpu, npl, paa)| {
            let mut b = StockRule::builder()
                .max_coupons(mc)
                .max_amount(ma)
                .max_coupons_per_user(mcpu)
                .natural_person_limit(npl)
                .prevent_api_abuse(paa);
            if let Some(v) = mad {
                b = b.max_amount_by_day(v);
            }
            b.build().unwrap()
        })
}

const COLORS: &[&str] = &[
    "COLOR010", "COLOR020", "COLOR030", "COLOR040", "COLOR050", "COLOR060", "COLOR070", "COLOR080",
    "COLOR081", "COLOR082", "COLOR090", "COLOR100", "COLOR101", "COLOR102",
];
const TRADE_TYPES: &[&str] = &["MICROAPP", "APPPAY", "PPAY", "CARD", "FACE", "OTHER"];
const JUMP_TARGETS: &[&str] = &["PAYMENT_CODE", "MINI_PROGRAM", "DEFAULT_PAGE"];
const STATUSES: &[&str] = &["unactivated", "audit", "running", "stoped", "paused"];

fn pattern_info() -> impl Strategy<Value = PatternInfo> {
    (
        string_of(TEXT_CHARS, 1..=60),
        proptest::option::of(string_of(TEXT_CHARS, 0..=128)),
        proptest::option::of(string_of(NAME_CHARS, 0..=12)),
        proptest::option::of(select(COLORS)),
        proptest::option::of(string_of(TEXT_CHARS, 0..=128)),
        proptest::option::of(select(JUMP_TARGETS)),
        string_of(TEXT_CHARS, 1..=128),
        string_of(TEXT_CHARS, 1..=128),
        any::<bool>(),
    )
        .prop_map(
            |(desc, logo, name, color, image, jump, appid, path, with_mp)| {
                let mut b = PatternInfo::builder().description(desc);
                if let Some(v) = logo {
                    b = b.merchant_logo(v);
                }
                if let Some(v) = name {
                    b = b.merchant_name(v);
                }
                if let Some(v) = color {
                    b = b.background_color(v);
                }
                if let Some(v) = image {
                    b = b.coupon_image(v);
                }
                // MINI_PROGRAM needs both; other targets may carry them or not.
                if jump == Some("MINI_PROGRAM") || with_mp {
                    b = b.mini_program_appid(appid).mini_program_path(path);
                }
                if let Some(v) = jump {
                    b = b.jump_target(v);
                }
                b.build().unwrap()
            },
        )
}

fn fixed_available_time() -> impl Strategy<Value = FixedAvailableTime> {
    (
        prop::collection::vec(0i64..=6, 0..=7),
        prop_oneof![Just(0i64), Just(86_400i64), 0i64..=86_400],
        prop_oneof![Just(0i64), Just(86_400i64), 0i64..=86_400],
    )
        .prop_map(|(days, begin, end)| {
            FixedAvailableTime::builder()
                .available_week_day(days)
                .begin_time(begin)
                .end_time(end)
                .build()
                .unwrap()
        })
}

fn coupon_rule() -> impl Strategy<Value = CouponRule> {
    (
        proptest::option::of((
            proptest::option::of(fixed_available_time()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(0i64..=365),
        )),
        (0i64..=1_000_000, 0i64..=1_000_000),
        proptest::option::of(prop::collection::vec(string_of(TEXT_CHARS, 0..=128), 0..=3)),
        proptest::option::of(prop::collection::vec(select(TRADE_TYPES), 0..=6)),
        proptest::option::of(any::<bool>()),
        proptest::option::of(prop::collection::vec(string_of(DIGITS, 1..=128), 0..=3)),
        prop::collection::vec(string_of(DIGITS, 1..=20), 1..=4),
    )
        .prop_map(
            |(time, (amount, minimum), tags, trades, combine, items, merchants)| {
                let mut b = CouponRule::builder()
                    .fixed_normal_coupon(
                        FixedValueStockMsg::builder()
                            .coupon_amount(amount)
                            .transaction_minimum(minimum)
                            .build()
                            .unwrap(),
                    )
                    .available_merchants(merchants);
                if let Some((fixed, second_day, after)) = time {
                    let mut t = FavorAvailableTime::builder();
                    if let Some(v) = fixed {
                        t = t.fix_available_time(v);
                    }
                    if let Some(v) = second_day {
                        t = t.second_day_available(v);
                    }
                    if let Some(v) = after {
                        t = t.available_time_after_receive(v);
                    }
                    b = b.coupon_available_time(t.build().unwrap());
                }
                if let Some(v) = tags {
                    b = b.goods_tag(v);
                }
                if let Some(v) = trades {
                    b = b.trade_type(v);
                }
                if let Some(v) = combine {
                    b = b.combine_use(v);
                }
                if let Some(v) = items {
                    // unavailable_items is 暂未开放: a valid request leaves it unset.
                    b = b.available_items(v);
                }
                b.build().unwrap()
            },
        )
}

fn valid_stock() -> impl Strategy<Value = ValidStock> {
    let times = (
        prop_oneof![Just(0i64), Just(365 * DAY), 0i64..=365 * DAY],
        prop_oneof![Just(0i64), Just(90 * DAY), 0i64..=90 * DAY],
        offsets(),
        offsets(),
        select(vec!["", ".000", ".120", ".5", ".999999"]),
    );
    let strings = (
        string_of(NAME_CHARS, 1..=20),
        proptest::option::of(string_of(NAME_CHARS, 0..=60)),
        string_of(DIGITS, 1..=20),
        string_of(ORDER_CHARS, 1..=128),
        proptest::option::of(string_of(TEXT_CHARS, 0..=128)),
    );
    (
        strings,
        times,
        stock_rule(),
        proptest::option::of(pattern_info()),
        coupon_rule(),
        any::<bool>(),
    )
        .prop_map(
            |(
                (name, comment, merchant, order_no, ext),
                (ahead, span, off_begin, off_end, frac),
                rule,
                pattern,
                coupon,
                no_cash,
            )| {
                let begin = NOW + ahead;
                // The same fraction on both ends keeps the true span equal to the whole-second
                // one; no fraction at exactly 365 days ahead keeps the begin inside the window.
                let frac = if ahead == 365 * DAY { "" } else { frac };
                let mut b = CreateCouponStockRequest::builder()
                    .stock_name(name)
                    .belong_merchant(merchant)
                    .available_begin_time(ts_in(begin, off_begin, frac))
                    .available_end_time(ts_in(begin + span, off_end, frac))
                    .stock_use_rule(rule)
                    .coupon_use_rule(coupon)
                    .no_cash(no_cash)
                    .stock_type("NORMAL")
                    .out_request_no(order_no);
                if let Some(v) = comment {
                    b = b.comment(v);
                }
                // ext_info is 暂未开放: a valid request leaves it unset.
                let _ = ext;
                if let Some(v) = pattern {
                    b = b.pattern_info(v);
                }
                ValidStock {
                    req: b.build().unwrap(),
                    begin,
                    span,
                    offset: off_begin,
                }
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Single mutations of a CreateCouponStockRequest
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum StockMutation {
    NameTooLong(String),
    NameForbidden(char, usize),
    NameEmpty,
    CommentTooLong(String),
    BelongMerchantTooLong(String),
    OrderNoBadChar(char, usize),
    MaxCouponsBelowOne(i64),
    MaxAmountNegative(i64),
    GoodsTagTooLong(String, usize),
    TradeTypeUnknown(String, usize),
    MerchantTooLong(String, usize),
    WeekDayOutOfRange(i64, usize),
    FixedEndTimeTooLarge(i64),
    StockTypeUnknown(String),
    BackgroundColorUnknown(String),
    BadBeginTime(u8),
    BadEndTime(u8),
    BeginInPast(i64),
    BeginTooFarAhead(i64),
    SpanTooLong(i64),
    EndBeforeBegin(i64),
    MissingFixedNormalCoupon,
    MiniProgramFieldMissing { appid: bool, empty: bool },
    PatternDescriptionEmpty,
}

fn stock_mutation() -> impl Strategy<Value = StockMutation> {
    use StockMutation::*;
    prop_oneof![
        string_of(NAME_CHARS, 21..=40).prop_map(NameTooLong),
        (select(vec!['_', ',', ';', '|']), any::<usize>()).prop_map(|(c, i)| NameForbidden(c, i)),
        Just(NameEmpty),
        string_of(NAME_CHARS, 61..=90).prop_map(CommentTooLong),
        string_of(DIGITS, 21..=40).prop_map(BelongMerchantTooLong),
        (
            select(vec!['#', '@', '.', ' ', 'Ａ', '订', '１', '\t', '+', '，']),
            any::<usize>()
        )
            .prop_map(|(c, i)| OrderNoBadChar(c, i)),
        prop_oneof![Just(0i64), Just(i64::MIN), i64::MIN..=0].prop_map(MaxCouponsBelowOne),
        prop_oneof![Just(-1i64), i64::MIN..=-1].prop_map(MaxAmountNegative),
        (string_of(TEXT_CHARS, 129..=200), any::<usize>()).prop_map(|(s, i)| GoodsTagTooLong(s, i)),
        (lower_word(), any::<usize>()).prop_map(|(s, i)| TradeTypeUnknown(s, i)),
        (string_of(DIGITS, 21..=30), any::<usize>()).prop_map(|(s, i)| MerchantTooLong(s, i)),
        (
            prop_oneof![Just(7i64), Just(-1i64), 7i64..=i64::MAX, i64::MIN..=-1],
            any::<usize>()
        )
            .prop_map(|(v, i)| WeekDayOutOfRange(v, i)),
        prop_oneof![Just(86_401i64), 86_401i64..=i64::MAX].prop_map(FixedEndTimeTooLarge),
        lower_word().prop_map(StockTypeUnknown),
        lower_word().prop_map(BackgroundColorUnknown),
        any::<u8>().prop_map(BadBeginTime),
        any::<u8>().prop_map(BadEndTime),
        prop_oneof![Just(1i64), 1i64..=20 * 365 * DAY].prop_map(BeginInPast),
        prop_oneof![Just(1i64), 1i64..=20 * 365 * DAY].prop_map(BeginTooFarAhead),
        prop_oneof![Just(1i64), 1i64..=5 * 365 * DAY].prop_map(SpanTooLong),
        prop_oneof![Just(1i64), 1i64..=365 * DAY].prop_map(EndBeforeBegin),
        Just(MissingFixedNormalCoupon),
        (any::<bool>(), any::<bool>())
            .prop_map(|(appid, empty)| MiniProgramFieldMissing { appid, empty }),
        Just(PatternDescriptionEmpty),
    ]
}

fn replace_char(s: &str, at: usize, c: char) -> String {
    let n = s.chars().count();
    let at = at % n;
    s.chars()
        .enumerate()
        .map(|(i, x)| if i == at { c } else { x })
        .collect()
}

fn ensure_pattern(r: &mut CreateCouponStockRequest) -> &mut PatternInfo {
    r.pattern_info
        .get_or_insert_with(|| PatternInfo::builder().description("说明").build().unwrap())
}

fn ensure_fixed_time(r: &mut CreateCouponStockRequest) -> &mut FixedAvailableTime {
    r.coupon_use_rule
        .coupon_available_time
        .get_or_insert_with(|| FavorAvailableTime::builder().build().unwrap())
        .fix_available_time
        .get_or_insert_with(|| FixedAvailableTime::builder().build().unwrap())
}

/// Applies `m` and returns the one (path, rule) it must produce.
fn apply(v: &ValidStock, m: &StockMutation) -> (CreateCouponStockRequest, (String, Rule)) {
    use StockMutation::*;
    let mut r = v.req.clone();
    let at = |unix: i64| ts_in(unix, v.offset, "");
    let expect = |path: &str, rule: Rule| (path.to_string(), rule);
    let e = match m {
        NameTooLong(s) => {
            r.stock_name = s.clone();
            expect("stock_name", Rule::MaxLength)
        }
        NameForbidden(c, i) => {
            r.stock_name = replace_char(&r.stock_name, *i, *c);
            expect("stock_name", Rule::ForbiddenChars)
        }
        NameEmpty => {
            r.stock_name.clear();
            expect("stock_name", Rule::Required)
        }
        CommentTooLong(s) => {
            r.comment = Some(s.clone());
            expect("comment", Rule::MaxLength)
        }
        BelongMerchantTooLong(s) => {
            r.belong_merchant = s.clone();
            expect("belong_merchant", Rule::MaxLength)
        }
        OrderNoBadChar(c, i) => {
            r.out_request_no = replace_char(&r.out_request_no, *i, *c);
            expect("out_request_no", Rule::Charset)
        }
        MaxCouponsBelowOne(n) => {
            r.stock_use_rule.max_coupons = *n;
            expect("stock_use_rule.max_coupons", Rule::Minimum)
        }
        MaxAmountNegative(n) => {
            r.stock_use_rule.max_amount = *n;
            expect("stock_use_rule.max_amount", Rule::Minimum)
        }
        GoodsTagTooLong(s, i) => {
            let tags = r.coupon_use_rule.goods_tag.get_or_insert_with(Vec::new);
            let i = i % (tags.len() + 1);
            tags.insert(i, s.clone());
            expect(&format!("coupon_use_rule.goods_tag[{i}]"), Rule::MaxLength)
        }
        TradeTypeUnknown(s, i) => {
            let types = r.coupon_use_rule.trade_type.get_or_insert_with(Vec::new);
            let i = i % (types.len() + 1);
            types.insert(i, TradeType::from(s.as_str()));
            expect(&format!("coupon_use_rule.trade_type[{i}]"), Rule::Enum)
        }
        MerchantTooLong(s, i) => {
            let list = &mut r.coupon_use_rule.available_merchants;
            let i = i % (list.len() + 1);
            list.insert(i, s.clone());
            expect(
                &format!("coupon_use_rule.available_merchants[{i}]"),
                Rule::MaxLength,
            )
        }
        WeekDayOutOfRange(n, i) => {
            let days = ensure_fixed_time(&mut r)
                .available_week_day
                .get_or_insert_with(Vec::new);
            let i = i % (days.len() + 1);
            days.insert(i, *n);
            let rule = if *n < 0 { Rule::Minimum } else { Rule::Maximum };
            expect(
                &format!(
                    "coupon_use_rule.coupon_available_time.fix_available_time.available_week_day[{i}]"
                ),
                rule,
            )
        }
        FixedEndTimeTooLarge(n) => {
            ensure_fixed_time(&mut r).end_time = Some(*n);
            expect(
                "coupon_use_rule.coupon_available_time.fix_available_time.end_time",
                Rule::Maximum,
            )
        }
        StockTypeUnknown(s) => {
            r.stock_type = StockType::from(s.as_str());
            expect("stock_type", Rule::Enum)
        }
        BackgroundColorUnknown(s) => {
            ensure_pattern(&mut r).background_color = Some(BackgroundColor::from(s.as_str()));
            expect("pattern_info.background_color", Rule::Enum)
        }
        BadBeginTime(k) => {
            r.available_begin_time = break_ts(r.available_begin_time.as_str(), *k).into();
            expect("available_begin_time", Rule::Rfc3339)
        }
        BadEndTime(k) => {
            r.available_end_time = break_ts(r.available_end_time.as_str(), *k).into();
            expect("available_end_time", Rule::Rfc3339)
        }
        BeginInPast(d) => {
            let begin = NOW - d;
            r.available_begin_time = at(begin).into();
            r.available_end_time = at(begin + v.span).into();
            expect("available_begin_time", Rule::TimeWindow)
        }
        BeginTooFarAhead(d) => {
            let begin = NOW + 365 * DAY + d;
            r.available_begin_time = at(begin).into();
            r.available_end_time = at(begin + v.span).into();
            expect("available_begin_time", Rule::TimeWindow)
        }
        SpanTooLong(d) => {
            r.available_end_time = at(v.begin + 90 * DAY + d).into();
            expect("available_end_time", Rule::TimeWindow)
        }
        EndBeforeBegin(d) => {
            r.available_end_time = at(v.begin - d).into();
            expect("available_end_time", Rule::TimeWindow)
        }
        MissingFixedNormalCoupon => {
            r.coupon_use_rule.fixed_normal_coupon = None;
            expect("coupon_use_rule.fixed_normal_coupon", Rule::Conditional)
        }
        MiniProgramFieldMissing { appid, empty } => {
            let p = ensure_pattern(&mut r);
            p.jump_target = Some(JumpTarget::from("MINI_PROGRAM"));
            let missing = if *empty { Some(String::new()) } else { None };
            if *appid {
                p.mini_program_appid = missing;
                p.mini_program_path = Some("/pages/index".into());
                expect("pattern_info.mini_program_appid", Rule::Conditional)
            } else {
                p.mini_program_appid = Some("wx1234567890".into());
                p.mini_program_path = missing;
                expect("pattern_info.mini_program_path", Rule::Conditional)
            }
        }
        PatternDescriptionEmpty => {
            ensure_pattern(&mut r).description.clear();
            expect("pattern_info.description", Rule::Required)
        }
    };
    (r, e)
}

// ---------------------------------------------------------------------------------------------
// ListStocksRequest
// ---------------------------------------------------------------------------------------------

fn any_time() -> BoxedStrategy<String> {
    (
        0i64..=4_102_444_800,
        offsets(),
        select(vec!["", ".120", ".5"]),
    )
        .prop_map(|(t, off, frac)| ts_in(t, off, frac))
        .boxed()
}

fn valid_list() -> impl Strategy<Value = ListStocksRequest> {
    (
        prop_oneof![Just(0i64), Just(i64::MAX), 0i64..=i64::MAX],
        prop_oneof![Just(1i64), Just(10i64), 1i64..=10],
        string_of(DIGITS, 1..=20),
        proptest::option::of(any_time()),
        proptest::option::of(any_time()),
        proptest::option::of(select(STATUSES)),
    )
        .prop_map(|(offset, limit, mchid, start, end, status)| {
            let mut b = ListStocksRequest::builder()
                .offset(offset)
                .limit(limit)
                .stock_creator_mchid(mchid);
            if let Some(v) = start {
                b = b.create_start_time(v);
            }
            if let Some(v) = end {
                b = b.create_end_time(v);
            }
            if let Some(v) = status {
                b = b.status(v);
            }
            b.build().unwrap()
        })
}

#[derive(Debug, Clone)]
enum ListMutation {
    LimitTooLarge(i64),
    LimitTooSmall(i64),
    OffsetNegative(i64),
    MchidEmpty,
    MchidTooLong(String),
    BadStartTime(u8),
    BadEndTime(u8),
    StatusUnknown(String),
}

fn list_mutation() -> impl Strategy<Value = ListMutation> {
    use ListMutation::*;
    prop_oneof![
        prop_oneof![Just(11i64), Just(i64::MAX), 11i64..=i64::MAX].prop_map(LimitTooLarge),
        prop_oneof![Just(0i64), Just(i64::MIN), i64::MIN..=0].prop_map(LimitTooSmall),
        prop_oneof![Just(-1i64), Just(i64::MIN), i64::MIN..=-1].prop_map(OffsetNegative),
        Just(MchidEmpty),
        string_of(DIGITS, 21..=40).prop_map(MchidTooLong),
        any::<u8>().prop_map(BadStartTime),
        any::<u8>().prop_map(BadEndTime),
        // Upper case: never one of the lower-case documented statuses.
        "[A-Z]{1,12}".prop_map(StatusUnknown),
    ]
}

fn apply_list(
    base: &ListStocksRequest,
    m: &ListMutation,
    time: &str,
) -> (ListStocksRequest, (String, Rule)) {
    use ListMutation::*;
    let mut r = base.clone();
    let expect = |path: &str, rule: Rule| (path.to_string(), rule);
    let e = match m {
        LimitTooLarge(n) => {
            r.limit = *n;
            expect("limit", Rule::Maximum)
        }
        LimitTooSmall(n) => {
            r.limit = *n;
            expect("limit", Rule::Minimum)
        }
        OffsetNegative(n) => {
            r.offset = *n;
            expect("offset", Rule::Minimum)
        }
        MchidEmpty => {
            r.stock_creator_mchid.clear();
            expect("stock_creator_mchid", Rule::Required)
        }
        MchidTooLong(s) => {
            r.stock_creator_mchid = s.clone();
            expect("stock_creator_mchid", Rule::MaxLength)
        }
        BadStartTime(k) => {
            r.create_start_time = Some(break_ts(time, *k).into());
            expect("create_start_time", Rule::Rfc3339)
        }
        BadEndTime(k) => {
            r.create_end_time = Some(break_ts(time, *k).into());
            expect("create_end_time", Rule::Rfc3339)
        }
        StatusUnknown(s) => {
            r.status = Some(StockStatus::from(s.as_str()));
            expect("status", Rule::Enum)
        }
    };
    (r, e)
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn valid_coupon_stocks_pass(v in valid_stock()) {
        prop_assert_eq!(violations(&v.req), vec![], "{:#?}", v.req);
    }

    #[test]
    fn one_broken_rule_is_one_violation(v in valid_stock(), m in stock_mutation()) {
        let (r, expected) = apply(&v, &m);
        prop_assert_eq!(violations(&r), vec![expected], "{:?} on {:#?}", m, r);
    }

    #[test]
    fn valid_list_requests_pass(r in valid_list()) {
        prop_assert_eq!(violations(&r), vec![], "{:#?}", r);
    }

    #[test]
    fn one_broken_list_rule_is_one_violation(
        base in valid_list(),
        m in list_mutation(),
        time in any_time(),
    ) {
        let (r, expected) = apply_list(&base, &m, &time);
        prop_assert_eq!(violations(&r), vec![expected], "{:?} on {:#?}", m, r);
    }
}
