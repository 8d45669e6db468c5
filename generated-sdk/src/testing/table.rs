//! Which operation creates, reads or changes what: the simulator's declarative table, keyed by
//! operation id. Everything else about an operation (route, decoding, validation, examples,
//! idempotency keys, error rows, kinds) comes from the generated half; an operation missing
//! here answers from its documented example filled with the request (`Act::Echo`), and an
//! entry naming an operation the spec does not have (yet) is ignored.

/// A collection of entities the simulator keeps.
#[derive(Debug)]
pub(crate) struct KindDef {
    /// `family.kind`, e.g. `favor.stock`.
    pub name: &'static str,
    /// The field holding an entity's id, looked up under the same name in requests. Unused
    /// for singletons.
    pub key: &'static str,
    pub ids: Ids,
    /// The kind this one belongs to (its key is a field of the record). Its fields show
    /// through in answers about this kind (a coupon carries its stock's rules).
    pub parent: Option<&'static str>,
    /// Related entities answered as nested objects: `(field, kind)`, by that kind's key field.
    pub embeds: &'static [(&'static str, &'static str)],
}

/// Where an entity's id comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ids {
    /// Generated: the prefix, then a counter padded to this many digits.
    Seq(&'static str, usize),
    /// The request's own key field when set (a caller-chosen code or task id), else generated.
    FromRequest(&'static str, usize),
    /// One entity per simulator (callback settings).
    Singleton,
}

/// What one operation (or simulated user action) does.
#[derive(Debug)]
pub(crate) struct Behavior {
    /// Operation id (`favor.send_coupon`) or action name (`favor.redeem_coupon`).
    pub op: &'static str,
    pub act: Act,
    /// Preconditions, checked before any effect, in order.
    pub checks: &'static [Check],
    /// Fields written on the target entity (dotted paths); a `Req` of an unset field is skipped.
    pub set: &'static [(&'static str, Val)],
    /// Fields written only where the target has none.
    pub defaults: &'static [(&'static str, Val)],
    /// Extra answer fields (dotted paths), computed after the effect.
    pub reply: &'static [(&'static str, Val)],
    /// Notification (`family.id`) sent to the configured callback URL after the effect.
    pub notify: Option<&'static str>,
}

/// The effect.
#[derive(Debug)]
pub(crate) enum Act {
    /// No state: the documented example, filled with the request and `reply`.
    Echo,
    /// A new entity from the request (or from its `flatten` object), plus one entity per
    /// `nested` request object present: `(request field, kind, fields set on it)`.
    Create {
        kind: &'static str,
        flatten: Option<&'static str>,
        nested: &'static [Nested],
    },
    /// Changes the entity the request's key names (the request's fields are merged in);
    /// a singleton kind is created on first use.
    Update(&'static str),
    /// Answers with the entity the request's key names.
    Read(&'static str),
    /// Answers with the entities matching every set filter `(request field, record path)`,
    /// paged as the operation documents; `items` names the list field of unpaged answers.
    List {
        kind: &'static str,
        filters: &'static [(&'static str, &'static str)],
        items: Option<&'static str>,
    },
    /// A flow file of the entity the request names (link, SHA1, unsigned download).
    Download { kind: &'static str, flow: Flow },
}

/// A nested object of a create request that becomes an entity of its own:
/// `(request field, kind, fields set on it)`.
pub(crate) type Nested = (&'static str, &'static str, &'static [(&'static str, Val)]);

/// Which flow file.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Flow {
    /// 核销明细: the kind's coupons that were used.
    Use,
    /// 退款明细: refunds (the simulator has none).
    Refund,
}

/// A precondition. Each names the entity by the request field equal to its kind's key.
#[derive(Debug)]
pub(crate) enum Check {
    /// The entity exists (else the operation's documented not-found row).
    Exists(&'static str),
    /// The entity's `field` is one of `any_of`, else the documented row `(code, description)`.
    State {
        kind: &'static str,
        field: &'static str,
        any_of: &'static [&'static str],
        error: (&'static str, &'static str),
    },
    /// `used < max` on the entity (no limit when `max` is absent or not positive), else the
    /// documented row; `used` is incremented when the effect happens.
    Budget {
        kind: &'static str,
        used: &'static str,
        max: &'static str,
        error: (&'static str, &'static str),
    },
    /// Fewer than `max` (a field of the `kind` entity; no limit when absent or not positive)
    /// `child` entities of that entity already belong to the request's `user` (a request
    /// field, e.g. the openid), else the documented row: the per-user limit (每人限领).
    PerUser {
        kind: &'static str,
        child: &'static str,
        user: &'static str,
        max: &'static str,
        error: (&'static str, &'static str),
    },
    /// The time in request field `at` (the simulator's clock when the request has none) lies
    /// within the `kind` entity's [`begin`, `end`] (RFC 3339 fields; a missing or unreadable
    /// bound is open), else the documented row: outside the validity period (不在有效期).
    During {
        kind: &'static str,
        at: &'static str,
        begin: &'static str,
        end: &'static str,
        error: (&'static str, &'static str),
    },
    /// Fewer than `max` (a field of the `kind` entity; no limit when absent or not positive)
    /// `child` entities of that entity have their `stamp` (an RFC 3339 time in +08:00, as the
    /// simulator writes it) on the simulator clock's current day in Beijing time, else the
    /// documented row: the daily limit (每日上限). The day turns at 00:00 +08:00. An effect
    /// writes that day's count to the `kind` entity's `today_count` field, if one is named
    /// (it reads the previous day's count until the first effect of a new day).
    PerDay {
        kind: &'static str,
        child: &'static str,
        stamp: &'static str,
        max: &'static str,
        today_count: Option<&'static str>,
        error: (&'static str, &'static str),
    },
}

/// A value to write.
#[derive(Debug)]
pub(crate) enum Val {
    Str(&'static str),
    Int(i64),
    Bool(bool),
    /// Removes the field.
    Null,
    /// The simulator's clock, RFC 3339 in +08:00.
    Now,
    DaysFromNow(i64),
    /// A request field (dotted path).
    Req(&'static str),
    /// A field of the parent entity (dotted path).
    Parent(&'static str),
    /// A field of the target entity after the effect (dotted path).
    Rec(&'static str),
    /// The number of items of a request array.
    Count(&'static str),
    /// The simulator's merchant id.
    Mchid,
    /// A media URL for an uploaded file (by its SHA-256).
    MediaUrl,
    /// A fresh random token.
    Token,
}

use Val::*;

const fn kind(
    name: &'static str,
    key: &'static str,
    ids: Ids,
    parent: Option<&'static str>,
) -> KindDef {
    KindDef {
        name,
        key,
        ids,
        parent,
        embeds: &[],
    }
}

/// Every kind of entity.
pub(crate) static KINDS: &[KindDef] = &[
    kind("favor.stock", "stock_id", Ids::Seq("98", 8), None),
    kind(
        "favor.coupon",
        "coupon_id",
        Ids::Seq("66", 10),
        Some("favor.stock"),
    ),
    kind("favor.callback", "", Ids::Singleton, None),
    kind("busifavor.stock", "stock_id", Ids::Seq("12", 10), None),
    kind(
        "busifavor.coupon",
        "coupon_code",
        Ids::FromRequest("80", 12),
        Some("busifavor.stock"),
    ),
    kind("busifavor.callback", "", Ids::Singleton, None),
    kind(
        "busifavor.subsidy_pay_receipt",
        "subsidy_receipt_id",
        Ids::Seq("10", 14),
        None,
    ),
    kind(
        "busifavor.subsidy_return_receipt",
        "subsidy_return_receipt_id",
        Ids::Seq("20", 14),
        None,
    ),
    kind(
        "product_coupon.product_coupon",
        "product_coupon_id",
        Ids::Seq("10", 8),
        None,
    ),
    kind(
        "product_coupon.stock",
        "stock_id",
        Ids::Seq("11", 11),
        Some("product_coupon.product_coupon"),
    ),
    kind(
        "product_coupon.stock_bundle",
        "stock_bundle_id",
        Ids::Seq("13", 11),
        Some("product_coupon.product_coupon"),
    ),
    KindDef {
        name: "product_coupon.user_coupon",
        key: "coupon_code",
        ids: Ids::FromRequest("SIM", 13),
        parent: Some("product_coupon.stock"),
        embeds: &[
            ("product_coupon", "product_coupon.product_coupon"),
            ("stock", "product_coupon.stock"),
        ],
    },
    kind(
        "product_coupon.image_task",
        "task_id",
        Ids::FromRequest("TASK", 10),
        None,
    ),
    kind("product_coupon.notify_config", "", Ids::Singleton, None),
];

/// Where each family's notifications go: `(family, kind, field with the URL)`.
pub(crate) static CALLBACKS: &[(&str, &str, &str)] = &[
    ("favor", "favor.callback", "notify_url"),
    ("busifavor", "busifavor.callback", "notify_url"),
    (
        "product_coupon",
        "product_coupon.notify_config",
        "notify_url",
    ),
];

const fn b(op: &'static str, act: Act) -> Behavior {
    Behavior {
        op,
        act,
        checks: &[],
        set: &[],
        defaults: &[],
        reply: &[],
        notify: None,
    }
}

const fn create(kind: &'static str) -> Act {
    Act::Create {
        kind,
        flatten: None,
        nested: &[],
    }
}

const fn list(kind: &'static str, filters: &'static [(&'static str, &'static str)]) -> Act {
    Act::List {
        kind,
        filters,
        items: None,
    }
}

const FAVOR_STOCK_STATE: (&str, &str) = ("INVALID_REQUEST", "活动已结束或未激活");
const PC_RULES: (&str, &str) = ("INVALID_REQUEST", "传入参数不符合业务规则");
const PC_STOCK_INIT: &[(&str, Val)] = &[
    ("state", Str("SENDING")),
    ("sent_count_info.total_count", Int(0)),
    ("sent_count_info.today_count", Int(0)),
];

/// The operations that touch state, by operation id.
pub(crate) static BEHAVIORS: &[Behavior] = &[
    // ── 代金券 (favor) ─────────────────────────────────────────────────────────────────────
    Behavior {
        set: &[
            ("status", Str("unactivated")),
            ("create_time", Now),
            ("distributed_coupons", Int(0)),
        ],
        defaults: &[
            ("stock_creator_mchid", Req("belong_merchant")),
            ("description", Req("comment")),
            ("singleitem", Bool(false)),
        ],
        ..b("favor.create_coupon_stock", create("favor.stock"))
    },
    Behavior {
        checks: &[Check::State {
            kind: "favor.stock",
            field: "status",
            any_of: &["unactivated"],
            error: FAVOR_STOCK_STATE,
        }],
        set: &[("status", Str("running")), ("start_time", Now)],
        ..b("favor.start_stock", Act::Update("favor.stock"))
    },
    Behavior {
        checks: &[Check::State {
            kind: "favor.stock",
            field: "status",
            any_of: &["running"],
            error: FAVOR_STOCK_STATE,
        }],
        set: &[("status", Str("paused")), ("pause_time", Now)],
        ..b("favor.pause_stock", Act::Update("favor.stock"))
    },
    Behavior {
        checks: &[Check::State {
            kind: "favor.stock",
            field: "status",
            any_of: &["paused"],
            error: FAVOR_STOCK_STATE,
        }],
        set: &[("status", Str("running")), ("restart_time", Now)],
        ..b("favor.restart_stock", Act::Update("favor.stock"))
    },
    b("favor.query_stock", Act::Read("favor.stock")),
    b(
        "favor.list_stocks",
        list(
            "favor.stock",
            &[
                ("status", "status"),
                ("stock_creator_mchid", "stock_creator_mchid"),
            ],
        ),
    ),
    Behavior {
        checks: &[Check::Exists("favor.stock")],
        ..b("favor.list_available_merchants", Act::Echo)
    },
    Behavior {
        checks: &[Check::Exists("favor.stock")],
        ..b("favor.list_available_items", Act::Echo)
    },
    b("favor.modify_goods_id", Act::Update("favor.stock")),
    Behavior {
        checks: &[
            Check::Exists("favor.stock"),
            Check::State {
                kind: "favor.stock",
                field: "status",
                any_of: &["running"],
                error: FAVOR_STOCK_STATE,
            },
            Check::Budget {
                kind: "favor.stock",
                used: "distributed_coupons",
                max: "stock_use_rule.max_coupons",
                error: ("NOT_ENOUGH", "批次预算不足"),
            },
            Check::PerUser {
                kind: "favor.stock",
                child: "favor.coupon",
                user: "openid",
                max: "stock_use_rule.max_coupons_per_user",
                error: ("REQUEST_BLOCKED", "用户被限领拦截"),
            },
        ],
        set: &[
            ("status", Str("SENDED")),
            ("create_time", Now),
            ("coupon_type", Str("NORMAL")),
        ],
        defaults: &[
            ("coupon_name", Parent("stock_name")),
            (
                "normal_coupon_information",
                Parent("coupon_use_rule.fixed_normal_coupon"),
            ),
        ],
        ..b("favor.send_coupon", create("favor.coupon"))
    },
    b("favor.query_coupon", Act::Read("favor.coupon")),
    b(
        "favor.list_user_coupons",
        list(
            "favor.coupon",
            &[
                ("openid", "openid"),
                ("appid", "appid"),
                ("stock_id", "stock_id"),
                ("status", "status"),
                ("creator_mchid", "stock_creator_mchid"),
            ],
        ),
    ),
    Behavior {
        set: &[("update_time", Now)],
        ..b("favor.set_callback", Act::Update("favor.callback"))
    },
    b("favor.query_callback", Act::Read("favor.callback")),
    b(
        "favor.download_use_flow",
        Act::Download {
            kind: "favor.stock",
            flow: Flow::Use,
        },
    ),
    b(
        "favor.download_refund_flow",
        Act::Download {
            kind: "favor.stock",
            flow: Flow::Refund,
        },
    ),
    Behavior {
        checks: &[Check::Exists("favor.stock")],
        ..b("favor.download_use_flow_by_day", Act::Echo)
    },
    Behavior {
        checks: &[Check::Exists("favor.stock")],
        ..b("favor.download_refund_flow_by_day", Act::Echo)
    },
    Behavior {
        reply: &[("media_url", MediaUrl)],
        ..b("favor.upload_image", Act::Echo)
    },
    // ── 商家券 (busifavor) ─────────────────────────────────────────────────────────────────
    Behavior {
        set: &[
            ("stock_state", Str("RUNNING")),
            ("create_time", Now),
            ("send_count_information.total_send_num", Int(0)),
            ("send_count_information.today_send_num", Int(0)),
        ],
        ..b("busifavor.create_stock", create("busifavor.stock"))
    },
    b("busifavor.query_stock", Act::Read("busifavor.stock")),
    b("busifavor.modify_stock", Act::Update("busifavor.stock")),
    Behavior {
        set: &[
            ("stock_send_rule.max_coupons", Req("target_max_coupons")),
            (
                "stock_send_rule.max_coupons_by_day",
                Req("target_max_coupons_by_day"),
            ),
        ],
        reply: &[
            ("max_coupons", Rec("stock_send_rule.max_coupons")),
            (
                "max_coupons_by_day",
                Rec("stock_send_rule.max_coupons_by_day"),
            ),
        ],
        ..b("busifavor.modify_budget", Act::Update("busifavor.stock"))
    },
    Behavior {
        reply: &[
            ("total_count", Count("coupon_code_list")),
            ("success_count", Count("coupon_code_list")),
            ("success_codes", Req("coupon_code_list")),
            ("success_time", Now),
        ],
        ..b(
            "busifavor.upload_coupon_codes",
            Act::Update("busifavor.stock"),
        )
    },
    Behavior {
        checks: &[
            Check::State {
                kind: "busifavor.coupon",
                field: "coupon_state",
                any_of: &["SENDED"],
                error: ("RESOURCE_ALREADY_EXISTS", "券已被其他订单核销"),
            },
            Check::During {
                kind: "busifavor.coupon",
                at: "use_time",
                begin: "available_start_time",
                end: "expire_time",
                error: ("RULELIMIT", "券不在有效期"),
            },
        ],
        set: &[("coupon_state", Str("USED")), ("use_time", Req("use_time"))],
        reply: &[("wechatpay_use_time", Now)],
        ..b("busifavor.use_coupon", Act::Update("busifavor.coupon"))
    },
    Behavior {
        checks: &[Check::State {
            kind: "busifavor.coupon",
            field: "coupon_state",
            any_of: &["USED"],
            error: ("INVALID_REQUEST", "HTTP 请求不符合微信支付 APIv3 接口规则"),
        }],
        set: &[("coupon_state", Str("SENDED")), ("return_time", Now)],
        reply: &[("wechatpay_return_time", Now)],
        ..b("busifavor.return_coupon", Act::Update("busifavor.coupon"))
    },
    Behavior {
        checks: &[Check::State {
            kind: "busifavor.coupon",
            field: "coupon_state",
            any_of: &["SENDED"],
            error: ("INVALID_REQUEST", "HTTP 请求不符合微信支付 APIv3 接口规则"),
        }],
        set: &[
            ("coupon_state", Str("DEACTIVATED")),
            ("deactivate_time", Now),
        ],
        reply: &[("wechatpay_deactivate_time", Now)],
        ..b(
            "busifavor.deactivate_coupon",
            Act::Update("busifavor.coupon"),
        )
    },
    Behavior {
        set: &[("associate_out_trade_no", Req("out_trade_no"))],
        reply: &[("wechatpay_associate_time", Now)],
        ..b(
            "busifavor.associate_trade_info",
            Act::Update("busifavor.coupon"),
        )
    },
    Behavior {
        set: &[("associate_out_trade_no", Null)],
        reply: &[("wechatpay_disassociate_time", Now)],
        ..b(
            "busifavor.disassociate_trade_info",
            Act::Update("busifavor.coupon"),
        )
    },
    b("busifavor.query_user_coupon", Act::Read("busifavor.coupon")),
    b(
        "busifavor.list_user_coupons",
        Act::List {
            kind: "busifavor.coupon",
            filters: &[
                ("openid", "openid"),
                ("stock_id", "stock_id"),
                ("coupon_state", "coupon_state"),
                ("belong_merchant", "belong_merchant"),
            ],
            items: Some("data"),
        },
    ),
    Behavior {
        checks: &[
            Check::Exists("busifavor.stock"),
            Check::Budget {
                kind: "busifavor.stock",
                used: "send_count_information.total_send_num",
                max: "stock_send_rule.max_coupons",
                error: ("INVALID_REQUEST", "HTTP 请求不符合微信支付 APIv3 接口规则"),
            },
        ],
        set: &[
            ("coupon_state", Str("SENDED")),
            ("receive_time", Now),
            ("send_request_no", Req("out_request_no")),
        ],
        reply: &[
            ("send_coupon_result.stock_id", Rec("stock_id")),
            ("send_coupon_result.coupon_code", Rec("coupon_code")),
            ("send_coupon_result.out_request_no", Req("out_request_no")),
        ],
        ..b("busifavor.send_product_coupon", create("busifavor.coupon"))
    },
    Behavior {
        set: &[("update_time", Now)],
        defaults: &[("mchid", Mchid)],
        ..b("busifavor.set_callback", Act::Update("busifavor.callback"))
    },
    b("busifavor.query_callback", Act::Read("busifavor.callback")),
    Behavior {
        checks: &[Check::Exists("busifavor.coupon")],
        set: &[
            ("status", Str("SUCCESS")),
            ("create_time", Now),
            ("success_time", Now),
        ],
        ..b(
            "busifavor.create_subsidy_pay_receipt",
            create("busifavor.subsidy_pay_receipt"),
        )
    },
    b(
        "busifavor.query_subsidy_pay_receipt",
        Act::Read("busifavor.subsidy_pay_receipt"),
    ),
    b(
        "busifavor.list_subsidy_pay_receipts",
        Act::List {
            kind: "busifavor.subsidy_pay_receipt",
            filters: &[
                ("stock_id", "stock_id"),
                ("coupon_code", "coupon_code"),
                ("out_subsidy_no", "out_subsidy_no"),
            ],
            items: Some("pay_receipt_list"),
        },
    ),
    Behavior {
        set: &[
            ("status", Str("RETURN_RECEIPT_SUCCESS")),
            ("return_create_time", Now),
            ("return_done_time", Now),
        ],
        ..b(
            "busifavor.create_subsidy_return_receipt",
            create("busifavor.subsidy_return_receipt"),
        )
    },
    b(
        "busifavor.query_subsidy_return_receipt",
        Act::Read("busifavor.subsidy_return_receipt"),
    ),
    // ── 商品券 (product_coupon) ────────────────────────────────────────────────────────────
    Behavior {
        set: &[("state", Str("EFFECTIVE"))],
        ..b(
            "product_coupon.create_product_coupon",
            Act::Create {
                kind: "product_coupon.product_coupon",
                flatten: None,
                nested: &[
                    ("stock", "product_coupon.stock", PC_STOCK_INIT),
                    ("stock_bundle", "product_coupon.stock_bundle", &[]),
                ],
            },
        )
    },
    b(
        "product_coupon.query_product_coupon",
        Act::Read("product_coupon.product_coupon"),
    ),
    b(
        "product_coupon.modify_product_coupon",
        Act::Update("product_coupon.product_coupon"),
    ),
    Behavior {
        checks: &[Check::State {
            kind: "product_coupon.product_coupon",
            field: "state",
            any_of: &["AUDITING", "EFFECTIVE"],
            error: PC_RULES,
        }],
        set: &[
            ("state", Str("DEACTIVATED")),
            ("deactivate_time", Now),
            ("deactivate_request_no", Req("out_request_no")),
        ],
        ..b(
            "product_coupon.deactivate_product_coupon",
            Act::Update("product_coupon.product_coupon"),
        )
    },
    Behavior {
        checks: &[Check::Exists("product_coupon.product_coupon")],
        set: PC_STOCK_INIT,
        ..b(
            "product_coupon.create_stock",
            Act::Create {
                kind: "product_coupon.stock",
                flatten: Some("stock"),
                nested: &[],
            },
        )
    },
    b(
        "product_coupon.query_stock",
        Act::Read("product_coupon.stock"),
    ),
    b(
        "product_coupon.list_stocks",
        list(
            "product_coupon.stock",
            &[
                ("product_coupon_id", "product_coupon_id"),
                ("state", "state"),
                ("stock_bundle_id", "stock_bundle_info.stock_bundle_id"),
            ],
        ),
    ),
    b(
        "product_coupon.modify_stock",
        Act::Update("product_coupon.stock"),
    ),
    Behavior {
        set: &[
            ("stock_send_rule.max_count", Req("target_max_count")),
            (
                "stock_send_rule.max_count_per_day",
                Req("target_max_count_per_day"),
            ),
        ],
        ..b(
            "product_coupon.modify_stock_budget",
            Act::Update("product_coupon.stock"),
        )
    },
    Behavior {
        checks: &[Check::State {
            kind: "product_coupon.stock",
            field: "state",
            any_of: &["AUDITING", "SENDING", "PAUSED"],
            error: PC_RULES,
        }],
        set: &[
            ("state", Str("DEACTIVATED")),
            ("deactivate_time", Now),
            ("deactivate_request_no", Req("out_request_no")),
        ],
        ..b(
            "product_coupon.deactivate_stock",
            Act::Update("product_coupon.stock"),
        )
    },
    Behavior {
        reply: &[
            ("total_count", Count("store_list")),
            ("success_store_list", Req("store_list")),
        ],
        ..b(
            "product_coupon.associate_stores",
            Act::Update("product_coupon.stock"),
        )
    },
    Behavior {
        reply: &[
            ("total_count", Count("store_list")),
            ("success_store_list", Req("store_list")),
        ],
        ..b(
            "product_coupon.disassociate_stores",
            Act::Update("product_coupon.stock"),
        )
    },
    Behavior {
        checks: &[Check::Exists("product_coupon.stock")],
        ..b("product_coupon.list_associated_stores", Act::Echo)
    },
    Behavior {
        reply: &[
            ("total_count", Count("code_list")),
            ("success_code_list", Req("code_list")),
        ],
        ..b(
            "product_coupon.upload_coupon_codes",
            Act::Update("product_coupon.stock"),
        )
    },
    b(
        "product_coupon.modify_stock_bundle",
        Act::Update("product_coupon.stock_bundle"),
    ),
    Behavior {
        checks: &[
            Check::Exists("product_coupon.product_coupon"),
            Check::Exists("product_coupon.stock"),
            Check::State {
                kind: "product_coupon.stock",
                field: "state",
                any_of: &["SENDING"],
                error: PC_RULES,
            },
            Check::Budget {
                kind: "product_coupon.stock",
                used: "sent_count_info.total_count",
                max: "stock_send_rule.max_count",
                error: ("NOT_ENOUGH", "商品券批次发放预算不足"),
            },
            Check::PerUser {
                kind: "product_coupon.stock",
                child: "product_coupon.user_coupon",
                user: "openid",
                max: "stock_send_rule.max_count_per_user",
                error: ("INVALID_REQUEST", "用户领取已达到上限"),
            },
            Check::PerDay {
                kind: "product_coupon.stock",
                child: "product_coupon.user_coupon",
                stamp: "receive_time",
                max: "stock_send_rule.max_count_per_day",
                today_count: Some("sent_count_info.today_count"),
                error: ("NOT_ENOUGH", "商品券批次发放预算不足"),
            },
        ],
        set: &[
            ("coupon_state", Str("CONFIRMING")),
            ("receive_time", Now),
            ("valid_begin_time", Now),
            ("valid_end_time", DaysFromNow(30)),
            ("send_channel", Str("API")),
        ],
        notify: Some("product_coupon.product_coupon_send"),
        ..b(
            "product_coupon.send_user_coupon",
            create("product_coupon.user_coupon"),
        )
    },
    Behavior {
        set: &[("update_time", Now)],
        ..b(
            "product_coupon.set_notify_config",
            Act::Update("product_coupon.notify_config"),
        )
    },
    b(
        "product_coupon.query_notify_config",
        Act::Read("product_coupon.notify_config"),
    ),
    Behavior {
        set: &[("task_state", Str("SUCCESS"))],
        notify: Some("product_coupon.image_generation"),
        ..b(
            "product_coupon.create_image_generation_task",
            create("product_coupon.image_task"),
        )
    },
    b(
        "product_coupon.query_image_generation_task",
        Act::Read("product_coupon.image_task"),
    ),
    Behavior {
        reply: &[("image_url", MediaUrl)],
        ..b("product_coupon.upload_image", Act::Echo)
    },
    // 商品券 user coupons and bundles.
    Behavior {
        checks: &[Check::State {
            kind: "product_coupon.user_coupon",
            field: "coupon_state",
            any_of: &["CONFIRMING"],
            error: PC_RULES,
        }],
        set: &[
            ("coupon_state", Str("EFFECTIVE")),
            ("confirm_time", Now),
            ("confirm_request_no", Req("out_request_no")),
        ],
        ..b(
            "product_coupon.confirm_user_coupon",
            Act::Update("product_coupon.user_coupon"),
        )
    },
    b(
        "product_coupon.query_user_coupon",
        Act::Read("product_coupon.user_coupon"),
    ),
    b(
        "product_coupon.list_user_coupons",
        list(
            "product_coupon.user_coupon",
            &[
                ("openid", "openid"),
                ("appid", "appid"),
                ("product_coupon_id", "product_coupon_id"),
                ("stock_id", "stock_id"),
                ("coupon_state", "coupon_state"),
                ("user_coupon_bundle_id", "user_coupon_bundle_id"),
            ],
        ),
    ),
    Behavior {
        checks: &[Check::State {
            kind: "product_coupon.user_coupon",
            field: "coupon_state",
            any_of: &["EFFECTIVE"],
            error: PC_RULES,
        }],
        set: &[
            ("coupon_state", Str("USED")),
            ("single_usage_detail.use_time", Req("use_time")),
        ],
        ..b(
            "product_coupon.use_user_coupon",
            Act::Update("product_coupon.user_coupon"),
        )
    },
    Behavior {
        checks: &[Check::State {
            kind: "product_coupon.user_coupon",
            field: "coupon_state",
            any_of: &["USED"],
            error: PC_RULES,
        }],
        set: &[("coupon_state", Str("EFFECTIVE"))],
        ..b(
            "product_coupon.return_user_coupon",
            Act::Update("product_coupon.user_coupon"),
        )
    },
    Behavior {
        checks: &[Check::State {
            kind: "product_coupon.user_coupon",
            field: "coupon_state",
            any_of: &["CONFIRMING", "PENDING", "EFFECTIVE"],
            error: PC_RULES,
        }],
        set: &[
            ("coupon_state", Str("DEACTIVATED")),
            ("deactivate_time", Now),
            ("deactivate_request_no", Req("out_request_no")),
        ],
        ..b(
            "product_coupon.deactivate_user_coupon",
            Act::Update("product_coupon.user_coupon"),
        )
    },
    Behavior {
        checks: &[Check::Exists("product_coupon.product_coupon")],
        ..b(
            "product_coupon.create_stock_bundle",
            Act::Create {
                kind: "product_coupon.stock_bundle",
                flatten: Some("stock_bundle"),
                nested: &[],
            },
        )
    },
    b(
        "product_coupon.modify_stock_bundle_budget",
        Act::Update("product_coupon.stock_bundle"),
    ),
    Behavior {
        reply: &[
            ("total_count", Count("store_list")),
            ("success_store_list", Req("store_list")),
        ],
        ..b(
            "product_coupon.associate_stock_bundle_stores",
            Act::Update("product_coupon.stock_bundle"),
        )
    },
    Behavior {
        reply: &[
            ("total_count", Count("store_list")),
            ("success_store_list", Req("store_list")),
        ],
        ..b(
            "product_coupon.disassociate_stock_bundle_stores",
            Act::Update("product_coupon.stock_bundle"),
        )
    },
    Behavior {
        checks: &[
            Check::Exists("product_coupon.product_coupon"),
            Check::Exists("product_coupon.stock"),
        ],
        reply: &[("token", Token)],
        ..b("product_coupon.pre_send_user_coupon", Act::Echo)
    },
    Behavior {
        checks: &[
            Check::Exists("product_coupon.product_coupon"),
            Check::Exists("product_coupon.stock_bundle"),
        ],
        reply: &[("token", Token)],
        ..b("product_coupon.pre_send_user_coupon_bundle", Act::Echo)
    },
    Behavior {
        checks: &[
            Check::Exists("product_coupon.product_coupon"),
            Check::Exists("product_coupon.stock_bundle"),
        ],
        ..b("product_coupon.send_user_coupon_bundle", Act::Echo)
    },
];

/// What happens on WeChat Pay's side without an API call (a user pays with a coupon, claims
/// one in a mini program), run through the same machinery as operations: see
/// [`Simulator::act`](super::Simulator::act).
pub(crate) static ACTIONS: &[Behavior] = &[
    Behavior {
        checks: &[Check::State {
            kind: "favor.coupon",
            field: "status",
            any_of: &["SENDED"],
            error: ("INVALID_REQUEST", "券不可用"),
        }],
        set: &[
            ("status", Str("USED")),
            ("consume_information.consume_time", Now),
            ("consume_information.consume_mchid", Mchid),
            ("consume_information.transaction_id", Token),
        ],
        notify: Some("favor.coupon_use"),
        ..b("favor.redeem_coupon", Act::Update("favor.coupon"))
    },
    Behavior {
        checks: &[
            Check::Exists("busifavor.stock"),
            Check::State {
                kind: "busifavor.stock",
                field: "stock_state",
                any_of: &["RUNNING"],
                error: ("INVALID_REQUEST", "批次不在发放中"),
            },
            Check::Budget {
                kind: "busifavor.stock",
                used: "send_count_information.total_send_num",
                max: "stock_send_rule.max_coupons",
                error: ("NOT_ENOUGH", "批次预算不足"),
            },
        ],
        set: &[
            ("coupon_state", Str("SENDED")),
            ("receive_time", Now),
            ("send_time", Now),
            ("event_type", Str("EVENT_TYPE_BUSICOUPON_SEND")),
        ],
        defaults: &[
            ("send_channel", Str("BUSICOUPON_SEND_CHANNEL_MINIAPP")),
            ("send_merchant", Mchid),
            ("send_request_no", Token),
            (
                "available_start_time",
                Parent("coupon_use_rule.coupon_available_time.available_begin_time"),
            ),
            (
                "expire_time",
                Parent("coupon_use_rule.coupon_available_time.available_end_time"),
            ),
        ],
        notify: Some("busifavor.coupon_send"),
        ..b("busifavor.claim_coupon", create("busifavor.coupon"))
    },
];

/// The kind named `name`.
pub(crate) fn kind_def(name: &str) -> Option<&'static KindDef> {
    KINDS.iter().find(|k| k.name == name)
}

/// The behavior of operation `op` (`family.id`), if it touches state.
pub(crate) fn behavior(op: &str) -> Option<&'static Behavior> {
    BEHAVIORS.iter().find(|b| b.op == op)
}

/// The simulated action `name`.
pub(crate) fn action(name: &str) -> Option<&'static Behavior> {
    ACTIONS.iter().find(|b| b.op == name)
}

#[cfg(all(
    test,
    feature = "favor",
    feature = "busifavor",
    feature = "product-coupon"
))]
mod tests {
    use super::*;
    use crate::testing::generated;

    /// Operations the table may know before their pages land in the spec (none today: the
    /// 商品券 user-coupon and bundle pages are in). Anything else the spec lacks is a typo.
    const NOT_YET_IN_SPEC: &[&str] = &[];

    /// Every kind a behavior touches, and whether the request must name the entity by key.
    fn kinds_of(b: &Behavior) -> Vec<(&'static str, bool)> {
        let mut out: Vec<(&'static str, bool)> = b
            .checks
            .iter()
            .map(|c| match c {
                Check::Exists(k)
                | Check::State { kind: k, .. }
                | Check::Budget { kind: k, .. }
                | Check::During { kind: k, .. }
                | Check::PerUser { kind: k, .. }
                | Check::PerDay { kind: k, .. } => (*k, true),
            })
            .collect();
        out.extend(b.checks.iter().filter_map(|c| match c {
            Check::PerUser { child, .. } | Check::PerDay { child, .. } => Some((*child, false)),
            _ => None,
        }));
        match &b.act {
            Act::Echo => {}
            Act::Create { kind, nested, .. } => {
                out.push((kind, false));
                out.extend(nested.iter().map(|(_, k, _)| (*k, false)));
            }
            Act::Update(k) | Act::Read(k) | Act::Download { kind: k, .. } => out.push((k, true)),
            Act::List { kind, .. } => out.push((kind, false)),
        }
        out
    }

    /// Every entry names an operation of the spec (or one known to be coming), kinds that
    /// exist, request fields the operation has and notifications the spec documents: the
    /// table cannot drift from the spec silently.
    #[test]
    fn the_table_matches_the_spec() {
        let ops = generated::operations();
        let notifications = generated::notifications();
        let mut problems = Vec::new();
        for b in BEHAVIORS {
            let Some(op) = ops.iter().find(|o| o.id == b.op) else {
                if !NOT_YET_IN_SPEC.contains(&b.op) {
                    problems.push(format!("{}: no such operation in the spec", b.op));
                }
                continue;
            };
            let has = |field: &str| {
                let first = field.split('.').next().unwrap_or(field);
                op.request_fields.contains(&first)
            };
            for (kind, named) in kinds_of(b) {
                match kind_def(kind) {
                    None => problems.push(format!("{}: unknown kind {kind}", b.op)),
                    Some(kd) => {
                        let keyed = !matches!(kd.ids, Ids::Singleton);
                        if named && keyed && !has(kd.key) {
                            problems.push(format!("{}: names {kind} but has no {}", b.op, kd.key));
                        }
                    }
                }
            }
            if let Act::List { filters, .. } = &b.act {
                for (field, _) in *filters {
                    if !has(field) {
                        problems.push(format!("{}: filter on missing field {field}", b.op));
                    }
                }
            }
            for (_, val) in b.set.iter().chain(b.defaults).chain(b.reply) {
                if let Val::Req(field) | Val::Count(field) = val {
                    if !has(field) {
                        problems.push(format!("{}: reads missing request field {field}", b.op));
                    }
                }
            }
            if let Some(t) = op.response_type {
                let shape = generated::shape(t).unwrap_or_default();
                for (path, _) in b.reply {
                    let first = path.split('.').next().unwrap_or(path);
                    let download = op.download.is_some();
                    if !download && !shape.iter().any(|f| f.name == first) {
                        problems.push(format!("{}: answers {first}, not a field of {t}", b.op));
                    }
                }
            }
            if let Some(n) = b.notify {
                if !notifications.iter().any(|s| s.id == n) {
                    problems.push(format!("{}: no notification {n}", b.op));
                }
            }
        }
        for b in ACTIONS {
            for (kind, _) in kinds_of(b) {
                if kind_def(kind).is_none() {
                    problems.push(format!("{}: unknown kind {kind}", b.op));
                }
            }
            if let Some(n) = b.notify {
                if !notifications.iter().any(|s| s.id == n) {
                    problems.push(format!("{}: no notification {n}", b.op));
                }
            }
        }
        for (family, kind, _) in CALLBACKS {
            let set_by_an_operation = BEHAVIORS.iter().any(|b| {
                matches!(b.act, Act::Update(k) if k == *kind) && ops.iter().any(|o| o.id == b.op)
            });
            if !set_by_an_operation {
                problems.push(format!("{family}: no operation sets {kind}"));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn every_notification_has_a_payload_shape_and_a_callback() {
        for n in generated::notifications() {
            let payload = n.payload_type.expect("a payload type");
            assert!(
                generated::shape(payload).is_some(),
                "{}: no shape for {payload}",
                n.id
            );
            assert!(
                CALLBACKS.iter().any(|(f, _, _)| *f == n.family),
                "{}: no callback setting for its family",
                n.id
            );
        }
    }
}
