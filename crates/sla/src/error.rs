//! The one error type of the SLA engine.

use serde::{Deserialize, Serialize};

/// Everything that can go wrong in the engine. Messages are meant for people: a start-up log line,
/// a CLI error (exit code 2) or a form message.
#[derive(thiserror::Error, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum SlaError {
    /// A program file is not valid JSON or does not match the program schema.
    #[error("program file `{file}`: {message}")]
    Parse { file: String, message: String },
    /// A program file parsed but breaks a rule of the schema.
    #[error("program file `{file}`: field `{field}`: {message}")]
    Invalid {
        file: String,
        field: String,
        message: String,
    },
    /// Two files define the same program id.
    #[error("program file `{file}`: program id `{id}` is already defined by `{other_file}`")]
    DuplicateProgram {
        id: String,
        file: String,
        other_file: String,
    },
    /// A program directory or file could not be read (server only).
    #[error("cannot read `{path}`: {message}")]
    Io { path: String, message: String },
    #[error("unknown program `{0}`")]
    UnknownProgram(String),
    #[error("program `{program}` has no plan `{plan}` (plans: {known})")]
    UnknownPlan {
        program: String,
        plan: String,
        known: String,
    },
    #[error("program `{program}` has no severity table for product line `{product}`")]
    NoTableForProduct { program: String, product: String },
    #[error("unknown IANA time zone `{0}`")]
    UnknownTimeZone(String),
    #[error("invalid business hours: {0}")]
    InvalidHours(String),
    #[error("severity must be 1 to 4, got {0}")]
    InvalidSeverity(u8),
    /// The calendar has no business time within the search horizon (e.g. holidays everywhere).
    #[error("no business time found within {days} days after {after}")]
    NoBusinessTime { after: String, days: u32 },
    /// The plan carries no hardware delivery commitment at all (not even best effort).
    #[error("plan `{plan}` of program `{program}` has no hardware delivery rule")]
    NoDeliveryRule { program: String, plan: String },
    /// Case facts that cannot describe a real case.
    #[error("invalid case facts: {0}")]
    InvalidFacts(String),
    #[error("date arithmetic out of range")]
    OutOfRange,
}
