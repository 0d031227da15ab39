//! Files Escapement writes for other tools: the improvement backlog in the trackers' import
//! formats, as JSON and as Markdown.

pub mod backlog;
