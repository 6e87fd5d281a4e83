//! github renderer (placeholder replaced below).

use crate::report::Report;
#[allow(unused_imports)]
use super::RenderOptions;

#[allow(unused_variables)]
pub fn render(report: &Report) -> String {
    super::json::render(report)
}
