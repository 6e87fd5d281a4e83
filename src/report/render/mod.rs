//! Renderers: every output format is produced from the same [`Report`].

mod github;
mod human;
mod json;
mod junit;
mod markdown;
mod sarif;

use super::Report;
use crate::cli::Format;

/// Presentation settings that do not change what a report says.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
    pub quiet: bool,
    pub verbose: u8,
}

/// Render a report in the requested format. Output always ends with a newline.
pub fn render(report: &Report, format: Format, opts: RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, opts),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    }
}

/// The Markdown job summary appended to `$GITHUB_STEP_SUMMARY`.
pub fn step_summary(report: &Report) -> String {
    markdown::render(report)
}

pub use json::to_value as json_value;
