//! github renderer (placeholder replaced below).

#[allow(unused_imports)]
use super::RenderOptions;
use crate::report::Report;

#[allow(unused_variables)]
pub fn render(report: &Report) -> String {
    super::json::render(report)
}
