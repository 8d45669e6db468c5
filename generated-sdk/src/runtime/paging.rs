//! Walking paged list operations. Generated code implements [`Paged`] for each list request
//! the spec marks with `pagination:`; [`Pages`] then fetches page after page (offset/limit or
//! page tokens) and stops at the documented end (`total_count`, an empty or short page, or no
//! next token), so nobody writes the offset loop by hand.

use std::future::Future;

use crate::runtime::client::Client;
use crate::runtime::error::Error;

/// How a list operation pages.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    /// `offset` + `limit`; `by_page`: the offset counts pages (0, 1, 2…), not items.
    Offset {
        /// The offset counts pages rather than items.
        by_page: bool,
    },
    /// `page_token` in, `next_page_token` out.
    Token,
}

/// A list request that can be walked page by page. Implemented by generated code.
#[doc(hidden)]
pub trait Paged: Clone + Send + Sync {
    /// The page (response) type.
    type Response: Send;
    /// One listed item.
    type Item: Send;
    /// How this operation pages.
    const STYLE: PageStyle;
    /// Sends this request (one page).
    fn send_page<'c>(
        &'c self,
        client: &'c Client,
    ) -> impl Future<Output = Result<Self::Response, Error>> + Send + 'c;
    /// The offset this request starts at (offset style).
    fn offset(&self) -> i64 {
        0
    }
    /// Sets the offset (offset style).
    fn set_offset(&mut self, _offset: i64) {}
    /// The page size asked for, if set.
    fn limit(&self) -> Option<i64>;
    /// Sets the page token (token style).
    fn set_token(&mut self, _token: String) {}
    /// The total number of items the response reports, if it does.
    fn total(_response: &Self::Response) -> Option<i64> {
        None
    }
    /// The next page token of a response (token style); `None` or empty at the end.
    fn next_token(_response: &Self::Response) -> Option<String> {
        None
    }
    /// The items of one page.
    fn into_items(response: Self::Response) -> Vec<Self::Item>;
}

/// Upper bound on pages fetched by one walk: a server that ignores the offset would
/// otherwise be asked forever.
const MAX_PAGES: usize = 100_000;

/// Pages of a list operation, fetched one at a time with [`Pages::next_page`]; or every item
/// at once with [`Pages::collect_items`]. Obtain one from a generated `*_pages` method.
///
/// The walk starts from the request as given (its offset or page token), so it can resume.
#[must_use = "a page walk does nothing until `next_page` or `collect_items` is awaited"]
pub struct Pages<'c, R: Paged> {
    client: &'c Client,
    request: R,
    /// Items before the first page asked (a resumed walk's starting offset, in items).
    start: i64,
    seen: i64,
    pages: usize,
    done: bool,
}

impl<R: Paged> std::fmt::Debug for Pages<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("seen", &self.seen)
            .field("pages", &self.pages)
            .field("done", &self.done)
            .finish()
    }
}

impl<'c, R: Paged> Pages<'c, R> {
    #[doc(hidden)]
    pub fn new(client: &'c Client, request: R) -> Self {
        let start = match R::STYLE {
            PageStyle::Offset { by_page: false } => request.offset(),
            PageStyle::Offset { by_page: true } => request.offset() * request.limit().unwrap_or(0),
            PageStyle::Token => 0,
        };
        Pages {
            client,
            request,
            start,
            seen: 0,
            pages: 0,
            done: false,
        }
    }

    /// Fetches the next page's items; `Ok(None)` once the list is exhausted. After an error
    /// the same page is asked again on the next call.
    pub async fn next_page(&mut self) -> Result<Option<Vec<R::Item>>, Error> {
        if self.done {
            return Ok(None);
        }
        let response = self.request.send_page(self.client).await?;
        self.pages += 1;
        let total = R::total(&response);
        let token = R::next_token(&response);
        let items = R::into_items(response);
        let n = items.len() as i64;
        self.seen += n;
        if n == 0 || self.pages >= MAX_PAGES {
            self.done = true;
        }
        match R::STYLE {
            PageStyle::Offset { by_page } => {
                let short = self.request.limit().is_some_and(|l| n < l);
                let reached = total.is_some_and(|t| self.start + self.seen >= t);
                if short || reached {
                    self.done = true;
                } else if by_page {
                    self.request.set_offset(self.request.offset() + 1);
                } else {
                    self.request.set_offset(self.request.offset() + n);
                }
            }
            PageStyle::Token => match token.filter(|t| !t.is_empty()) {
                Some(t) => self.request.set_token(t),
                None => self.done = true,
            },
        }
        Ok((n > 0).then_some(items))
    }

    /// Fetches every remaining page and returns all items in order.
    pub async fn collect_items(mut self) -> Result<Vec<R::Item>, Error> {
        let mut out = Vec::new();
        while let Some(items) = self.next_page().await? {
            out.extend(items);
        }
        Ok(out)
    }

    /// Items fetched so far.
    pub fn items_seen(&self) -> i64 {
        self.seen
    }
}
