//! The state store and the interpreter of the behavior table: routing, idempotency, checks,
//! effects, answers, the ledger and the flow files. Pure and synchronous (no I/O): the server
//! hands it decoded requests and sends what it returns.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value};

use super::crypto;
use super::generated;
use super::model::{Input, NotificationSpec, OpSpec, Paging, Params, Rejection};
use super::render::{get_path, merge, render, rfc3339, set_path, underlay, Example};
use super::table::{self, Act, Behavior, Check, Flow, Ids, KindDef, Val};
use super::{EntityRef, LedgerEntry, Outcome};
use crate::runtime::validation::{parse_rfc3339, Clock};
use crate::ErrorRow;

/// A notification to deliver after an effect.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub spec: &'static NotificationSpec,
    pub payload: Value,
    /// The callback URL configured for the family, if any.
    pub url: Option<String>,
}

/// What to send back.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub notify: Vec<Pending>,
}

impl Answer {
    fn error(r: &Rejection) -> Self {
        Answer {
            status: r.status,
            body: r.body(),
            notify: Vec::new(),
        }
    }
}

struct StoredReply {
    request: Params,
    status: u16,
    body: Vec<u8>,
}

struct FlowFile {
    bytes: Vec<u8>,
    expires: i64,
}

#[derive(Default)]
struct State {
    entities: BTreeMap<&'static str, BTreeMap<String, Value>>,
    counters: BTreeMap<&'static str, u64>,
    replies: HashMap<(&'static str, String), StoredReply>,
    ledger: Vec<LedgerEntry>,
    files: HashMap<String, FlowFile>,
}

enum Seg {
    Lit(&'static str),
    Param(&'static str),
}

/// The simulator's logic and state.
pub(crate) struct Engine {
    ops: Vec<&'static OpSpec>,
    routes: Vec<(&'static str, Vec<Seg>, &'static OpSpec)>,
    notifications: Vec<&'static NotificationSpec>,
    pub(crate) mchid: String,
    pub(crate) autocreate: bool,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) base_url: String,
    state: Mutex<State>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What an effect produced, before it is rendered.
struct Done {
    entity: Option<(&'static str, String)>,
    /// The answer lists entities.
    listed: bool,
    reply: Value,
    detail: String,
    notify: Option<&'static str>,
}

impl Engine {
    pub(crate) fn new(
        mchid: String,
        autocreate: bool,
        clock: Arc<dyn Clock>,
        base_url: String,
    ) -> Self {
        let ops = generated::operations();
        let mut routes: Vec<(&'static str, Vec<Seg>, &'static OpSpec)> = ops
            .iter()
            .map(|op| {
                let segs = op
                    .path
                    .split('/')
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Seg::Param(name),
                            None => Seg::Lit(s),
                        },
                    )
                    .collect();
                (op.method, segs, *op)
            })
            .collect();
        // Literal segments win over parameters (`/coupons/use` before `/coupons/{code}`).
        routes.sort_by_key(|(_, segs, _)| {
            std::cmp::Reverse(segs.iter().filter(|s| matches!(s, Seg::Lit(_))).count())
        });
        Engine {
            ops,
            routes,
            notifications: generated::notifications(),
            mchid,
            autocreate,
            clock,
            base_url,
            state: Mutex::new(State::default()),
        }
    }

    pub(crate) fn operations(&self) -> &[&'static OpSpec] {
        &self.ops
    }

    fn now(&self) -> i64 {
        self.clock.now_unix()
    }

    /// The operation for `method path` and its decoded path parameters; `Err(true)` when the
    /// path exists under another method.
    #[allow(clippy::type_complexity)]
    pub(crate) fn route(
        &self,
        method: &str,
        path: &str,
    ) -> Result<(&'static OpSpec, Vec<(&'static str, String)>), bool> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut other_method = false;
        for (m, segs, op) in &self.routes {
            if segs.len() != parts.len() {
                continue;
            }
            let mut params = Vec::new();
            let matched = segs.iter().zip(&parts).all(|(seg, part)| match seg {
                Seg::Lit(l) => l == part,
                Seg::Param(name) => {
                    let value = percent_encoding::percent_decode_str(part)
                        .decode_utf8_lossy()
                        .into_owned();
                    params.push((*name, value));
                    !part.is_empty()
                }
            });
            if matched {
                if *m == method {
                    return Ok((op, params));
                }
                other_method = true;
            }
        }
        Err(other_method)
    }

    /// Runs one operation: decode and validate, replay or refuse a reused idempotency key,
    /// apply the table's behavior, answer and record it in the ledger.
    pub(crate) fn call(&self, op: &'static OpSpec, input: &Input<'_>) -> Answer {
        let params = match (op.decode)(input) {
            Ok(p) => p,
            Err(r) => {
                self.record(op.id, None, Outcome::Refused, r.status, None, &r.message);
                return Answer::error(&r);
            }
        };
        let key = idempotency_key(op.idempotency_keys, &params);
        let mut st = lock(&self.state);
        if let Some(k) = &key {
            if let Some(stored) = st.replies.get(&(op.id, k.clone())) {
                if stored.request == params {
                    let answer = Answer {
                        status: stored.status,
                        body: stored.body.clone(),
                        notify: Vec::new(),
                    };
                    drop(st);
                    self.record(
                        op.id,
                        Some(k.clone()),
                        Outcome::Replayed,
                        answer.status,
                        None,
                        "same key, same request: first answer replayed, no effect",
                    );
                    return answer;
                }
                drop(st);
                let r = Rejection::row(
                    &op.conflict,
                    format!(
                        "{}: {} 已用于参数不同的请求",
                        op.conflict.description,
                        describe_key(op.idempotency_keys, &params)
                    ),
                );
                self.record(
                    op.id,
                    Some(k.clone()),
                    Outcome::Conflict,
                    r.status,
                    None,
                    &r.message,
                );
                return Answer::error(&r);
            }
        }
        let ctx = Ctx {
            errors: op.errors().copied().collect(),
            not_found: op.not_found,
        };
        let behavior = table::behavior(op.id);
        let result = match behavior {
            Some(b) => self.apply(&mut st, &ctx, b, &params, op.pagination, op.download),
            None => Ok(Done {
                entity: None,
                listed: false,
                reply: Value::Object(Map::new()),
                detail: "answered from the documented example".into(),
                notify: None,
            }),
        };
        let done = match result {
            Ok(d) => d,
            Err(r) => {
                drop(st);
                self.record(op.id, key, Outcome::Refused, r.status, None, &r.message);
                return Answer::error(&r);
            }
        };
        let request = Value::Object(params.clone());
        let view = done
            .entity
            .as_ref()
            .and_then(|(k, id)| self.view(&st, k, id));
        let body = match op.response_type {
            Some(t) => {
                let template = op
                    .response_example
                    .and_then(|e| serde_json::from_str::<Value>(e).ok());
                let mut sources: Vec<&Value> = vec![&done.reply];
                if let Some(v) = &view {
                    sources.push(v);
                }
                sources.push(&request);
                // About an entity (or a list of them), optional fields come from state only.
                let about_state = view.is_some() || done.listed;
                let use_example = if about_state {
                    Example::Required
                } else {
                    Example::All
                };
                let value = render(t, template.as_ref(), &sources, self.now(), use_example);
                serde_json::to_vec(&value).unwrap_or_default()
            }
            None => Vec::new(),
        };
        let notify = done
            .notify
            .and_then(|n| self.pending(&st, n, view.as_ref().unwrap_or(&request)))
            .into_iter()
            .collect();
        if let Some(k) = &key {
            st.replies.insert(
                (op.id, k.clone()),
                StoredReply {
                    request: params,
                    status: op.status,
                    body: body.clone(),
                },
            );
        }
        drop(st);
        let entity = done.entity.map(|(kind, id)| EntityRef {
            kind: kind.to_owned(),
            id,
        });
        self.record(
            op.id,
            key,
            Outcome::Applied,
            op.status,
            entity,
            &done.detail,
        );
        Answer {
            status: op.status,
            body,
            notify,
        }
    }

    /// Runs a simulated action (a user pays with a coupon, claims one…) with `params`;
    /// returns the entity it touched and the notifications to deliver.
    pub(crate) fn act(
        &self,
        name: &str,
        params: &Params,
    ) -> Result<(Value, Vec<Pending>), Rejection> {
        let behavior = table::action(name)
            .ok_or_else(|| Rejection::param(format!("no simulated action {name}")))?;
        let ctx = Ctx {
            errors: Vec::new(),
            not_found: ErrorRow {
                status: 404,
                code: "RESOURCE_NOT_EXISTS",
                description: "查询的资源不存在",
                solution: "",
            },
        };
        let mut st = lock(&self.state);
        let done = match self.apply(&mut st, &ctx, behavior, params, None, None) {
            Ok(d) => d,
            Err(r) => {
                drop(st);
                self.record(
                    behavior.op,
                    None,
                    Outcome::Refused,
                    r.status,
                    None,
                    &r.message,
                );
                return Err(r);
            }
        };
        let request = Value::Object(params.clone());
        let view = done
            .entity
            .as_ref()
            .and_then(|(k, id)| self.view(&st, k, id))
            .unwrap_or(request);
        let notify = done
            .notify
            .and_then(|n| self.pending(&st, n, &view))
            .into_iter()
            .collect();
        drop(st);
        let entity = done.entity.map(|(kind, id)| EntityRef {
            kind: kind.to_owned(),
            id,
        });
        self.record(
            behavior.op,
            None,
            Outcome::Applied,
            200,
            entity,
            &done.detail,
        );
        Ok((view, notify))
    }

    fn apply(
        &self,
        st: &mut State,
        ctx: &Ctx,
        b: &Behavior,
        params: &Params,
        paging: Option<Paging>,
        download: Option<super::model::DownloadSpec>,
    ) -> Result<Done, Rejection> {
        let now = self.now();
        // Preconditions first: nothing changes unless all hold.
        let mut budgets = Vec::new();
        for check in b.checks {
            match check {
                Check::Exists(kind) => {
                    self.find(st, ctx, kind, params, None, false)?;
                }
                Check::State {
                    kind,
                    field,
                    any_of,
                    error,
                } => {
                    let (kd, id) =
                        self.find(st, ctx, kind, params, Some((field, any_of[0])), false)?;
                    let current = st
                        .entities
                        .get(kd.name)
                        .and_then(|m| m.get(&id))
                        .and_then(|r| get_path(r, field))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    if let Some(current) = current {
                        if !any_of.contains(&current.as_str()) {
                            return Err(Rejection::row(
                                &ctx.row(error),
                                format!("{}: {field} 为 {current}", error.1),
                            ));
                        }
                    }
                }
                Check::Budget {
                    kind,
                    used,
                    max,
                    error,
                } => {
                    let (kd, id) = self.find(st, ctx, kind, params, None, false)?;
                    let record = st.entities.get(kd.name).and_then(|m| m.get(&id));
                    let int = |p: &str| record.and_then(|r| get_path(r, p)).and_then(Value::as_i64);
                    let (n, limit) = (int(used).unwrap_or(0), int(max).unwrap_or(0));
                    if limit > 0 && n >= limit {
                        return Err(Rejection::row(
                            &ctx.row(error),
                            format!("{}: 已发放 {n},上限 {limit}", error.1),
                        ));
                    }
                    budgets.push((kd.name, id, *used, n + 1));
                }
                Check::During {
                    kind,
                    at,
                    begin,
                    end,
                    error,
                } => {
                    let (kd, id) = self.find(st, ctx, kind, params, None, false)?;
                    let record = st.entities.get(kd.name).and_then(|m| m.get(&id));
                    let bound = |p: &str| {
                        let text = record.and_then(|r| get_path(r, p)).and_then(Value::as_str);
                        (text.unwrap_or("-"), text.and_then(parse_rfc3339))
                    };
                    let ((from_text, from), (until_text, until)) = (bound(begin), bound(end));
                    let when = match params.get(*at) {
                        None => Some(now),
                        Some(v) => v.as_str().and_then(parse_rfc3339),
                    };
                    let outside = when.is_some_and(|w| {
                        from.is_some_and(|b| w < b) || until.is_some_and(|e| w > e)
                    });
                    if outside {
                        return Err(Rejection::row(
                            &ctx.row(error),
                            format!("{}: 有效期 {from_text} 至 {until_text}", error.1),
                        ));
                    }
                }
                Check::PerUser {
                    kind,
                    child,
                    user,
                    max,
                    error,
                } => {
                    let (kd, id) = self.find(st, ctx, kind, params, None, false)?;
                    let Some(who) = params.get(*user).and_then(Value::as_str) else {
                        continue;
                    };
                    let mine = |c: &Value| get_path(c, user).and_then(Value::as_str) == Some(who);
                    let (limit, n) = limit_and_count(st, kd, &id, max, child, mine)?;
                    if limit > 0 && n >= limit {
                        return Err(Rejection::row(
                            &ctx.row(error),
                            format!("{}: 该用户已领取 {n},每人上限 {limit}", error.1),
                        ));
                    }
                }
                Check::PerDay {
                    kind,
                    child,
                    stamp,
                    max,
                    today_count,
                    error,
                } => {
                    let (kd, id) = self.find(st, ctx, kind, params, None, false)?;
                    // rfc3339 writes +08:00, so the first ten characters are the Beijing day.
                    let today = rfc3339(now);
                    let today = today.get(..10);
                    let on_today = |c: &Value| {
                        get_path(c, stamp)
                            .and_then(Value::as_str)
                            .and_then(|t| t.get(..10))
                            == today
                    };
                    let (limit, n) = limit_and_count(st, kd, &id, max, child, on_today)?;
                    if limit > 0 && n >= limit {
                        return Err(Rejection::row(
                            &ctx.row(error),
                            format!("{}: 今日已发放 {n},每日上限 {limit}", error.1),
                        ));
                    }
                    if let Some(field) = today_count {
                        budgets.push((kd.name, id, *field, n + 1));
                    }
                }
            }
        }
        let request = Value::Object(params.clone());
        let mut entity = None;
        let mut reply = Value::Object(Map::new());
        let detail;
        match &b.act {
            Act::Echo => detail = "answered from the documented example".to_owned(),
            Act::Create {
                kind,
                flatten,
                nested,
            } => {
                let kd = kind_def(kind)?;
                let mut record = match flatten.and_then(|f| params.get(f)) {
                    Some(inner @ Value::Object(_)) => {
                        let mut r = inner.clone();
                        let mut rest = params.clone();
                        if let Some(f) = flatten {
                            rest.remove(*f);
                        }
                        underlay(&mut r, &Value::Object(rest));
                        r
                    }
                    _ => request.clone(),
                };
                let id = match kd.ids {
                    Ids::FromRequest(..) => match key_value(params, kd.key) {
                        Some(id) => {
                            if st
                                .entities
                                .get(kd.name)
                                .is_some_and(|m| m.contains_key(&id))
                            {
                                return Err(Rejection::row(
                                    &ctx.conflict_row(kd.key),
                                    format!("{} {id} 已存在", kd.key),
                                ));
                            }
                            id
                        }
                        None => next_id(st, kd),
                    },
                    _ => next_id(st, kd),
                };
                if !kd.key.is_empty() {
                    set_path(&mut record, kd.key, Value::String(id.clone()));
                }
                let parent = self.parent_view(st, kd, &record);
                self.write(&mut record, b, &request, parent.as_ref(), now);
                for (field, child_kind, child_set) in *nested {
                    let Some(child @ Value::Object(_)) = record.get(*field).cloned() else {
                        continue;
                    };
                    let ckd = kind_def(child_kind)?;
                    let mut child = child;
                    let child_id = next_id(st, ckd);
                    set_path(&mut child, ckd.key, Value::String(child_id.clone()));
                    set_path(&mut child, kd.key, Value::String(id.clone()));
                    for (path, val) in *child_set {
                        if let Some(v) = self.eval(val, &request, &child, None, now) {
                            set_path(&mut child, path, v);
                        }
                    }
                    st.entities
                        .entry(ckd.name)
                        .or_default()
                        .insert(child_id, child.clone());
                    set_path(&mut record, field, child);
                }
                st.entities
                    .entry(kd.name)
                    .or_default()
                    .insert(id.clone(), record);
                detail = format!("created {} {id}", kd.name);
                entity = Some((kd.name, id));
            }
            Act::Update(kind) => {
                let (kd, id) = self.find(st, ctx, kind, params, None, true)?;
                let mut record = st
                    .entities
                    .get(kd.name)
                    .and_then(|m| m.get(&id))
                    .cloned()
                    .unwrap_or_else(|| Value::Object(Map::new()));
                merge(&mut record, &request);
                let parent = self.parent_view(st, kd, &record);
                self.write(&mut record, b, &request, parent.as_ref(), now);
                let changed: Vec<&str> = b.set.iter().map(|(p, _)| *p).collect();
                detail = if changed.is_empty() {
                    format!("updated {} {id}", kd.name)
                } else {
                    format!("updated {} {id}: {}", kd.name, changed.join(", "))
                };
                st.entities
                    .entry(kd.name)
                    .or_default()
                    .insert(id.clone(), record);
                entity = Some((kd.name, id));
            }
            Act::Read(kind) => {
                let (kd, id) = self.find(st, ctx, kind, params, None, false)?;
                detail = format!("read {} {id}", kd.name);
                entity = Some((kd.name, id));
            }
            Act::List {
                kind,
                filters,
                items,
            } => {
                let kd = kind_def(kind)?;
                let all: Vec<Value> = st
                    .entities
                    .get(kd.name)
                    .map(|m| m.keys().cloned().collect::<Vec<_>>())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|id| self.view(st, kd.name, id))
                    .filter(|v| {
                        filters.iter().all(|(req, path)| match params.get(*req) {
                            None | Some(Value::Null) => true,
                            Some(want) => get_path(v, path).is_some_and(|have| same(have, want)),
                        })
                    })
                    .collect();
                let total = all.len();
                let int = |name: &str| params.get(name).and_then(Value::as_i64);
                let page = |start: usize, limit: Option<usize>| -> Vec<Value> {
                    let end = limit.map_or(total, |l| start.saturating_add(l).min(total));
                    all.get(start.min(total)..end).unwrap_or_default().to_vec()
                };
                let mut out = Map::new();
                match paging {
                    Some(Paging::Offset {
                        offset,
                        by_page,
                        limit,
                        total: total_field,
                        items,
                    }) => {
                        let l = int(limit).filter(|l| *l > 0).unwrap_or(10) as usize;
                        let o = int(offset).unwrap_or(0).max(0) as usize;
                        let start = if by_page { o.saturating_mul(l) } else { o };
                        out.insert(items.into(), Value::Array(page(start, Some(l))));
                        if let Some(t) = total_field {
                            out.insert(t.into(), Value::from(total));
                        }
                    }
                    Some(Paging::Token {
                        token,
                        limit,
                        next,
                        items,
                    }) => {
                        let l = limit.and_then(int).filter(|l| *l > 0).unwrap_or(10) as usize;
                        let start = params
                            .get(token)
                            .and_then(Value::as_str)
                            .and_then(|t| t.parse::<usize>().ok())
                            .unwrap_or(0);
                        out.insert(items.into(), Value::Array(page(start, Some(l))));
                        out.insert("total_count".into(), Value::from(total));
                        if start + l < total {
                            out.insert(next.into(), Value::String((start + l).to_string()));
                        }
                    }
                    None => {
                        let field = items.unwrap_or("data");
                        let start = int("offset").unwrap_or(0).max(0) as usize;
                        let limit = int("limit").filter(|l| *l > 0).map(|l| l as usize);
                        let items = page(start, limit);
                        out.insert("offset".into(), Value::from(start));
                        out.insert("limit".into(), Value::from(limit.unwrap_or(items.len())));
                        out.insert(field.into(), Value::Array(items));
                        out.insert("total_count".into(), Value::from(total));
                    }
                }
                reply = Value::Object(out);
                detail = format!("listed {total} {}", kd.name);
            }
            Act::Download { kind, flow } => {
                let (kd, id) = self.find(st, ctx, kind, params, None, false)?;
                let bytes = flow_file(st, *flow, &id);
                let token = crypto::random_alphanumeric(40);
                let hash = crypto::sha1_hex(&bytes);
                let expires = download.and_then(|d| d.expires_seconds).unwrap_or(30);
                st.files.insert(
                    token.clone(),
                    FlowFile {
                        bytes,
                        expires: now + i64::from(expires),
                    },
                );
                let (url_f, type_f, value_f) = download
                    .map(|d| (d.url, d.hash_type, d.hash_value))
                    .unwrap_or(("url", "hash_type", "hash_value"));
                set_path(
                    &mut reply,
                    url_f,
                    Value::String(format!(
                        "{}/v3/billdownload/file?token={token}",
                        self.base_url
                    )),
                );
                set_path(&mut reply, type_f, Value::String("SHA1".into()));
                set_path(&mut reply, value_f, Value::String(hash));
                detail = format!("flow file of {} {id}", kd.name);
                entity = Some((kd.name, id));
            }
        }
        for (kind, id, used, n) in budgets {
            if let Some(record) = st.entities.get_mut(kind).and_then(|m| m.get_mut(&id)) {
                set_path(record, used, Value::from(n));
            }
        }
        let target = entity
            .as_ref()
            .and_then(|(k, id)| st.entities.get(k).and_then(|m| m.get(id)))
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        let parent = entity
            .as_ref()
            .and_then(|(k, _)| kind_def(k).ok())
            .and_then(|kd| self.parent_view(st, kd, &target));
        for (path, val) in b.reply {
            if let Some(v) = self.eval(val, &request, &target, parent.as_ref(), now) {
                set_path(&mut reply, path, v);
            }
        }
        Ok(Done {
            listed: matches!(b.act, Act::List { .. }),
            entity,
            reply,
            detail,
            notify: b.notify,
        })
    }

    /// The kind definition and id of the entity a request names; with `autocreate`, a missing
    /// one is created from the request (with `state` set so the check passes). `upsert`
    /// creates a missing singleton (settings are written before they are read).
    fn find(
        &self,
        st: &mut State,
        ctx: &Ctx,
        kind: &str,
        params: &Params,
        state: Option<(&str, &str)>,
        upsert: bool,
    ) -> Result<(&'static KindDef, String), Rejection> {
        let kd = kind_def(kind)?;
        let singleton = matches!(kd.ids, Ids::Singleton);
        let id = if singleton {
            String::new()
        } else {
            key_value(params, kd.key).ok_or_else(|| {
                Rejection::row(
                    &ctx.not_found,
                    format!("{}: 缺少 {}", ctx.not_found.description, kd.key),
                )
            })?
        };
        let exists = st
            .entities
            .get(kd.name)
            .is_some_and(|m| m.contains_key(&id));
        if !exists {
            let may_create = self.autocreate || (singleton && upsert);
            if !may_create {
                return Err(Rejection::row(
                    &ctx.not_found,
                    if singleton {
                        format!("{}: 尚未设置", ctx.not_found.description)
                    } else {
                        format!("{}: {} {id}", ctx.not_found.description, kd.key)
                    },
                ));
            }
            let mut record = Value::Object(Map::new());
            if !singleton {
                set_path(&mut record, kd.key, Value::String(id.clone()));
            }
            if let Some((field, value)) = state {
                set_path(&mut record, field, Value::String(value.to_owned()));
            }
            // A parent named by the request comes along.
            if let Some(parent) = kd.parent.and_then(|p| kind_def(p).ok()) {
                if let Some(pid) = key_value(params, parent.key) {
                    set_path(&mut record, parent.key, Value::String(pid.clone()));
                    st.entities
                        .entry(parent.name)
                        .or_default()
                        .entry(pid.clone())
                        .or_insert_with(|| {
                            let mut p = Value::Object(Map::new());
                            set_path(&mut p, parent.key, Value::String(pid));
                            p
                        });
                }
            }
            st.entities
                .entry(kd.name)
                .or_default()
                .insert(id.clone(), record);
        }
        Ok((kd, id))
    }

    /// Applies a behavior's `set` and `defaults` to `record`.
    fn write(
        &self,
        record: &mut Value,
        b: &Behavior,
        request: &Value,
        parent: Option<&Value>,
        now: i64,
    ) {
        for (path, val) in b.set {
            if let Some(v) = self.eval(val, request, record, parent, now) {
                set_path(record, path, v);
            }
        }
        for (path, val) in b.defaults {
            if get_path(record, path).is_none() {
                if let Some(v) = self.eval(val, request, record, parent, now) {
                    set_path(record, path, v);
                }
            }
        }
    }

    fn eval(
        &self,
        val: &Val,
        request: &Value,
        record: &Value,
        parent: Option<&Value>,
        now: i64,
    ) -> Option<Value> {
        Some(match val {
            Val::Str(s) => Value::String((*s).to_owned()),
            Val::Int(i) => Value::from(*i),
            Val::Bool(b) => Value::Bool(*b),
            Val::Null => Value::Null,
            Val::Now => Value::String(rfc3339(now)),
            Val::DaysFromNow(d) => Value::String(rfc3339(now + d * 86_400)),
            Val::Req(p) => get_path(request, p)?.clone(),
            Val::Parent(p) => get_path(parent?, p)?.clone(),
            Val::Rec(p) => get_path(record, p)?.clone(),
            Val::Count(p) => Value::from(get_path(request, p)?.as_array()?.len()),
            Val::Mchid => Value::String(self.mchid.clone()),
            Val::MediaUrl => {
                let name = get_path(request, "sha256")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| crypto::random_alphanumeric(32));
                Value::String(format!(
                    "https://wxpaylogo.qpic.cn/wxpaylogo/simulator/{name}"
                ))
            }
            Val::Token => Value::String(crypto::random_alphanumeric(32)),
        })
    }

    /// An entity with its embedded relations and, underneath, its parents' fields.
    fn view(&self, st: &State, kind: &str, id: &str) -> Option<Value> {
        let kd = kind_def(kind).ok()?;
        let mut v = st.entities.get(kd.name)?.get(id)?.clone();
        for (field, other) in kd.embeds {
            let Ok(okd) = kind_def(other) else { continue };
            let Some(oid) = get_path(&v, okd.key)
                .and_then(Value::as_str)
                .map(str::to_owned)
            else {
                continue;
            };
            if let Some(o) = self.view(st, okd.name, &oid) {
                if let Value::Object(m) = &mut v {
                    m.insert((*field).to_owned(), o);
                }
            }
        }
        if let Some(p) = self.parent_view(st, kd, &v) {
            underlay(&mut v, &p);
        }
        Some(v)
    }

    fn parent_view(&self, st: &State, kd: &KindDef, record: &Value) -> Option<Value> {
        let pkd = kind_def(kd.parent?).ok()?;
        let pid = get_path(record, pkd.key)?.as_str()?.to_owned();
        self.view(st, pkd.name, &pid)
    }

    /// The notification `id` about `entity`, to the family's configured callback URL.
    fn pending(&self, st: &State, id: &str, entity: &Value) -> Option<Pending> {
        let spec = *self.notifications.iter().find(|n| n.id == id)?;
        let template = spec
            .payload_example
            .and_then(|e| serde_json::from_str::<Value>(e).ok());
        let payload = match spec.payload_type {
            Some(t) => render(
                t,
                template.as_ref(),
                &[entity],
                self.now(),
                Example::Required,
            ),
            None => entity.clone(),
        };
        let url = table::CALLBACKS
            .iter()
            .find(|(family, _, _)| *family == spec.family)
            .and_then(|(_, kind, field)| {
                let record = st.entities.get(kind)?.values().next()?;
                if record.get("switch") == Some(&Value::Bool(false)) {
                    return None;
                }
                get_path(record, field)?.as_str().map(str::to_owned)
            });
        Some(Pending { spec, payload, url })
    }

    /// The bytes behind a flow-file token, while it is valid.
    pub(crate) fn file(&self, token: &str) -> Result<Vec<u8>, Rejection> {
        let st = lock(&self.state);
        match st.files.get(token) {
            Some(f) if f.expires >= self.now() => Ok(f.bytes.clone()),
            Some(_) => Err(Rejection {
                status: 400,
                code: "INVALID_REQUEST".into(),
                message: "下载链接已过期".into(),
                detail: None,
            }),
            None => Err(Rejection {
                status: 404,
                code: "RESOURCE_NOT_EXISTS".into(),
                message: "下载链接不存在".into(),
                detail: None,
            }),
        }
    }

    pub(crate) fn record(
        &self,
        op: &str,
        key: Option<String>,
        outcome: Outcome,
        status: u16,
        entity: Option<EntityRef>,
        detail: &str,
    ) {
        let mut st = lock(&self.state);
        let seq = st.ledger.len() as u64 + 1;
        st.ledger.push(LedgerEntry {
            seq,
            operation: op.to_owned(),
            idempotency_key: key,
            outcome,
            status,
            entity,
            detail: detail.to_owned(),
        });
    }

    pub(crate) fn ledger(&self) -> Vec<LedgerEntry> {
        lock(&self.state).ledger.clone()
    }

    pub(crate) fn entities(&self, kind: &str) -> Vec<Value> {
        let st = lock(&self.state);
        st.entities
            .get(kind)
            .map(|m| m.keys().filter_map(|id| self.view(&st, kind, id)).collect())
            .unwrap_or_default()
    }

    pub(crate) fn entity(&self, kind: &str, id: &str) -> Option<Value> {
        let st = lock(&self.state);
        self.view(&st, kind, id)
    }

    pub(crate) fn reset(&self) {
        *lock(&self.state) = State::default();
    }
}

/// The documented rows an effect may answer with.
struct Ctx {
    errors: Vec<ErrorRow>,
    not_found: ErrorRow,
}

impl Ctx {
    /// The documented row `(code, description)`, else the first row with that code, else a
    /// row of that code with the usual status.
    fn row(&self, (code, description): &(&'static str, &'static str)) -> ErrorRow {
        self.errors
            .iter()
            .find(|r| r.code == *code && r.description == *description)
            .or_else(|| self.errors.iter().find(|r| r.code == *code))
            .copied()
            .unwrap_or(ErrorRow {
                status: match *code {
                    "NOT_ENOUGH" | "NOAUTH" | "NO_AUTH" | "REQUEST_BLOCKED" | "RULELIMIT" => 403,
                    "NOT_FOUND" | "RESOURCE_NOT_EXISTS" => 404,
                    _ => 400,
                },
                code,
                description,
                solution: "",
            })
    }

    /// The documented "already exists" row, preferably the one about `field` (a caller-chosen
    /// coupon code already taken).
    fn conflict_row(&self, field: &str) -> ErrorRow {
        let exists = || {
            self.errors
                .iter()
                .filter(|r| r.code.ends_with("ALREADY_EXISTS"))
        };
        exists()
            .find(|r| r.description.contains(field))
            .or_else(|| exists().next())
            .copied()
            .unwrap_or(ErrorRow {
                status: 400,
                code: "INVALID_REQUEST",
                description: "资源已存在",
                solution: "",
            })
    }
}

/// The `max` count limit of the `kd` record `id` (0: none) and how many `child` entities of
/// that record satisfy `counted`.
fn limit_and_count(
    st: &State,
    kd: &KindDef,
    id: &str,
    max: &str,
    child: &str,
    counted: impl Fn(&Value) -> bool,
) -> Result<(i64, i64), Rejection> {
    let limit = st
        .entities
        .get(kd.name)
        .and_then(|m| m.get(id))
        .and_then(|r| get_path(r, max))
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .max(0);
    let ckd = kind_def(child)?;
    let n = st.entities.get(ckd.name).map_or(0, |m| {
        m.values()
            .filter(|c| get_path(c, kd.key).and_then(Value::as_str) == Some(id) && counted(c))
            .count()
    });
    Ok((limit, i64::try_from(n).unwrap_or(i64::MAX)))
}

fn kind_def(name: &str) -> Result<&'static KindDef, Rejection> {
    table::kind_def(name).ok_or_else(|| Rejection {
        status: 500,
        code: "SYSTEM_ERROR".into(),
        message: format!("simulator table names an unknown kind {name}"),
        detail: None,
    })
}

fn next_id(st: &mut State, kd: &KindDef) -> String {
    let n = st.counters.entry(kd.name).or_insert(0);
    *n += 1;
    let (prefix, width) = match kd.ids {
        Ids::Seq(p, w) | Ids::FromRequest(p, w) => (p, w),
        Ids::Singleton => ("", 0),
    };
    format!("{prefix}{:0width$}", *n)
}

/// A request field as an id string.
fn key_value(params: &Params, field: &str) -> Option<String> {
    match params.get(field)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The idempotency key of a request: its key fields' values, when all are set.
fn idempotency_key(keys: &[&str], params: &Params) -> Option<String> {
    if keys.is_empty() {
        return None;
    }
    let values: Option<Vec<String>> = keys.iter().map(|k| key_value(params, k)).collect();
    values.map(|v| v.join("\u{1f}"))
}

fn describe_key(keys: &[&str], params: &Params) -> String {
    keys.iter()
        .map(|k| format!("{k}={}", key_value(params, k).unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Equal as filter values (an enum filter against a stored string, a number against text).
fn same(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (Value::Number(a), Value::String(b)) | (Value::String(b), Value::Number(a)) => {
            a.to_string() == *b
        }
        _ => have == want,
    }
}

/// A 代金券 flow file (CSV, as the bill download serves it) for stock `stock_id`.
fn flow_file(st: &State, flow: Flow, stock_id: &str) -> Vec<u8> {
    let mut out = String::new();
    match flow {
        Flow::Use => {
            out.push_str("批次id,优惠id,优惠类型,优惠金额(元),订单总金额(元),交易类型,支付单号,消耗时间,消耗商户号,设备号,银行流水号\n");
            for c in st
                .entities
                .get("favor.coupon")
                .into_iter()
                .flat_map(|m| m.values())
            {
                if get_path(c, "stock_id").and_then(Value::as_str) != Some(stock_id)
                    || get_path(c, "status").and_then(Value::as_str) != Some("USED")
                {
                    continue;
                }
                let s = |p: &str| {
                    get_path(c, p)
                        .map(|v| match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .unwrap_or_default()
                };
                let amount = get_path(c, "normal_coupon_information.coupon_amount")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                out.push_str(&format!(
                    "`{},`{},NORMAL,{}.{:02},,,`{},{},`{},,\n",
                    s("stock_id"),
                    s("coupon_id"),
                    amount / 100,
                    amount % 100,
                    s("consume_information.transaction_id"),
                    s("consume_information.consume_time"),
                    s("consume_information.consume_mchid"),
                ));
            }
        }
        Flow::Refund => {
            out.push_str("批次id,优惠id,优惠类型,优惠金额(元),订单总金额(元),退款交易类型,退款单号,退款时间,消耗商户号,设备号,银行流水号\n");
        }
    }
    out.into_bytes()
}
