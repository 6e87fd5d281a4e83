//! Errors that stop a command before it can produce a report (usage, unreadable output path…).
//! Every one maps to exit code 2 and renders as a single line with a hint.

use miette::Diagnostic as MietteDiagnostic;
use thiserror::Error;

#[derive(Debug, Error, MietteDiagnostic)]
pub enum Error {
    #[error("{message}")]
    #[diagnostic(code(tollgate::usage))]
    Usage {
        message: String,
        #[help]
        hint: String,
    },

    /// A single input that could not be read; carries the diagnostic that says where and why.
    #[error("{}", .0.one_line())]
    #[diagnostic(code(tollgate::input))]
    Input(Box<crate::input::InputError>),

    #[error("cannot write {path}: {source}")]
    #[diagnostic(
        code(tollgate::output),
        help("check that the directory exists and is writable")
    )]
    Output {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// One line: message and hint, for stderr.
    pub fn one_line(&self) -> String {
        match self {
            Error::Usage { message, hint } => format!("{message} (hint: {hint})"),
            Error::Input(e) => e.one_line(),
            Error::Output { .. } => {
                format!("{self} (hint: check that the directory exists and is writable)")
            }
        }
    }
}

impl From<crate::input::InputError> for Error {
    fn from(e: crate::input::InputError) -> Self {
        Error::Input(Box::new(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
