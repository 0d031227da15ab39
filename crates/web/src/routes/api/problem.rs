//! The API's errors as RFC 9457 problem documents (`application/problem+json`), and the
//! extractors that turn bad input into one: a query that does not parse, a JSON body that is
//! not JSON or does not fit the schema, text holding control characters, an id that is not
//! a UUID.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use escapement_core::ValidationErrors;
use escapement_core::form::has_control_character;
use escapement_storage::StorageError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::{IntoResponses, ToSchema};

use crate::error::AppError;
use crate::extract::{IdPath, QueryParams};

/// The media type of every error the API answers.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document: what went wrong, for people (`title`, `detail`) and for
/// programs (`status`, `errors`, `current_version`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `about:blank`, or a link to the documentation of this kind of problem.
    pub r#type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request, and what to do.
    pub detail: String,
    /// One entry per field a value was refused for (422 and 400).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// On 409: the version the record is at now; read it again, then send the change with
    /// this version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
}

/// The problems a list can answer, for the OpenAPI document (the answers themselves are
/// [`ApiError`]s).
#[allow(dead_code, reason = "documents ApiError's answers; never constructed")]
#[derive(IntoResponses)]
pub enum ListProblems {
    /// A filter, cursor or limit that cannot be used
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No valid token
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
}

/// The problems a read of one object can answer.
#[allow(dead_code, reason = "documents ApiError's answers; never constructed")]
#[derive(IntoResponses)]
pub enum ReadProblems {
    /// No valid token
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// No such object in the caller's teams
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

/// The problems a create can answer.
#[allow(dead_code, reason = "documents ApiError's answers; never constructed")]
#[derive(IntoResponses)]
pub enum CreateProblems {
    /// A body that is not JSON
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No valid token
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The caller's role in the team is read-only
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// A team the caller is not a member of
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// A body that is not sent as JSON
    #[response(status = 415, content_type = "application/problem+json")]
    NotJson(Problem),
    /// Values that break the rules, each with its field
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// The problems a change of an object can answer.
#[allow(dead_code, reason = "documents ApiError's answers; never constructed")]
#[derive(IntoResponses)]
pub enum ChangeProblems {
    /// A body that is not JSON
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No valid token
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The caller's role in the team is read-only
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such object in the caller's teams
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The object changed since the version given (`current_version`), or the workflow
    /// refuses the change now (every reason in `errors`)
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// A body that is not sent as JSON
    #[response(status = 415, content_type = "application/problem+json")]
    NotJson(Problem),
    /// Values that break the rules, each with its field
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// One refused field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field's name, as in the request body or query.
    pub field: String,
    /// Why it was refused, in words.
    pub message: String,
}

/// What an API request can fail with; each renders as a [`Problem`].
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request cannot be read (a query or cursor that does not parse).
    BadRequest {
        detail: String,
        errors: Vec<FieldProblem>,
    },
    /// 401: no valid token or session.
    Unauthorized,
    /// 403: the caller's role does not allow the change.
    Forbidden(String),
    /// 404: no such object, or one of a team the caller does not see.
    NotFound,
    /// 409: the record changed since it was read.
    Stale { current_version: i32 },
    /// 409: a rule of the workflow refuses the change now.
    Refused(String),
    /// 409: the workflow refuses a move, for every one of these reasons.
    Blocked(Vec<String>),
    /// 415: a body that is not JSON.
    NotJson,
    /// 422: values break the rules; each names its field.
    Invalid(Vec<FieldProblem>),
    /// 422: a body that does not fit the operation's schema, or unusable text.
    Unusable(String),
    /// 413: a body larger than the API takes.
    TooLarge,
    /// 503: every database connection is busy.
    Overloaded,
    /// 500: logged, never shown.
    Internal(anyhow::Error),
}

/// Result alias for API handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A 400 naming `field`.
    pub fn bad_field(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("The parameter `{field}` cannot be used: {message}"),
            errors: vec![FieldProblem {
                field: field.to_owned(),
                message,
            }],
        }
    }

    fn problem(self) -> (StatusCode, Problem) {
        let plain = |status: StatusCode, detail: String| {
            (
                status,
                Problem {
                    r#type: "about:blank".to_owned(),
                    title: status.canonical_reason().unwrap_or("Error").to_owned(),
                    status: status.as_u16(),
                    detail,
                    errors: Vec::new(),
                    current_version: None,
                },
            )
        };
        match self {
            ApiError::BadRequest { detail, errors } => {
                let (status, mut p) = plain(StatusCode::BAD_REQUEST, detail);
                p.errors = errors;
                (status, p)
            }
            ApiError::Unauthorized => plain(
                StatusCode::UNAUTHORIZED,
                "Send a valid API token as `Authorization: Bearer <token>` (create one under Settings → API tokens).".to_owned(),
            ),
            ApiError::Forbidden(detail) => plain(StatusCode::FORBIDDEN, detail),
            ApiError::NotFound => plain(
                StatusCode::NOT_FOUND,
                "There is no such object, or it belongs to a team you are not a member of."
                    .to_owned(),
            ),
            ApiError::Stale { current_version } => {
                let (status, mut p) = plain(
                    StatusCode::CONFLICT,
                    format!(
                        "The record was changed by someone else since you read it; it is now at version {current_version}. Nothing was saved: read it again, then send your change with that version."
                    ),
                );
                p.r#type = "/api/docs#conflict".to_owned();
                p.title = "Edit conflict".to_owned();
                p.current_version = Some(current_version);
                (status, p)
            }
            ApiError::Refused(detail) => {
                let (status, mut p) = plain(StatusCode::CONFLICT, detail);
                p.title = "This change cannot be made now".to_owned();
                (status, p)
            }
            ApiError::Blocked(reasons) => {
                let (status, mut p) = plain(
                    StatusCode::CONFLICT,
                    format!("The move is refused: {}", reasons.join(" ")),
                );
                p.title = "This change cannot be made now".to_owned();
                p.errors = reasons
                    .into_iter()
                    .map(|message| FieldProblem {
                        field: "to".to_owned(),
                        message,
                    })
                    .collect();
                (status, p)
            }
            ApiError::NotJson => plain(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as JSON, with `Content-Type: application/json`.".to_owned(),
            ),
            ApiError::Invalid(errors) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                let (status, mut p) = plain(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "Nothing was saved: check {} ({}).",
                        if errors.len() == 1 {
                            "this field"
                        } else {
                            "these fields"
                        },
                        fields.join(", ")
                    ),
                );
                p.r#type = "/api/docs#invalid".to_owned();
                p.title = "Invalid input".to_owned();
                p.errors = errors;
                (status, p)
            }
            ApiError::Unusable(detail) => {
                let (status, mut p) = plain(StatusCode::UNPROCESSABLE_ENTITY, detail);
                p.r#type = "/api/docs#invalid".to_owned();
                p.title = "Invalid input".to_owned();
                (status, p)
            }
            ApiError::TooLarge => plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The body is larger than the API takes (1 MiB). Nothing was saved.".to_owned(),
            ),
            ApiError::Overloaded => plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Escapement is answering many requests right now. Nothing was changed: retry after the time in `Retry-After`.".to_owned(),
            ),
            ApiError::Internal(err) => {
                tracing::error!(error = %err, "API request failed");
                plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on the server; it has been logged. Nothing was changed.".to_owned(),
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = matches!(self, ApiError::Overloaded);
        let unauthorized = matches!(self, ApiError::Unauthorized);
        let (status, problem) = self.problem();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, PROBLEM_JSON)],
            axum::Json(problem),
        )
            .into_response();
        if retry {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if unauthorized {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound => ApiError::NotFound,
            AppError::BadRequest(detail) => ApiError::BadRequest {
                detail,
                errors: Vec::new(),
            },
            AppError::Forbidden(detail) => ApiError::Forbidden(detail),
            AppError::Refused(detail)
            | AppError::FirstStep {
                message: detail, ..
            } => ApiError::Refused(detail),
            AppError::InvalidInput(detail) => ApiError::Unusable(detail),
            AppError::UnsupportedForm => ApiError::NotJson,
            AppError::TooLarge | AppError::FileTooLarge => ApiError::TooLarge,
            AppError::Overloaded | AppError::Busy => ApiError::Overloaded,
            AppError::Invalid(_) | AppError::Conflict(_) => {
                ApiError::Internal(anyhow::anyhow!("a form page reached the API"))
            }
            AppError::Internal(err) => ApiError::Internal(err),
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::NotFound => ApiError::NotFound,
            StorageError::Stale { current_version } => ApiError::Stale { current_version },
            StorageError::Invalid(errors) => errors.into(),
            StorageError::Blocked(blocked) => ApiError::Blocked(blocked.reasons),
            ref busy if escapement_storage::is_overloaded(busy) => ApiError::Overloaded,
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Invalid(
            errors
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.to_owned(),
                    message: e.message.clone(),
                })
                .collect(),
        )
    }
}

/// The query string as `T`, with the same checks as the pages' ([`QueryParams`]); a refusal
/// is a problem document.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        QueryParams::<T>::from_request_parts(parts, state)
            .await
            .map(|QueryParams(q)| ApiQuery(q))
            .map_err(ApiError::from)
    }
}

/// An object id from the path; anything else is a 404 problem.
pub struct ApiId(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for ApiId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        IdPath::from_request_parts(parts, state)
            .await
            .map(|IdPath(id)| ApiId(id))
            .map_err(ApiError::from)
    }
}

/// A JSON body: `Content-Type: application/json` (else 415), UTF-8 text (else 422), JSON
/// (else 400), no string holding a control character such as NUL (else 422 naming the field;
/// both databases then refuse the same input). Its shape is judged by [`ApiJson::parse`],
/// after the handler has checked the caller may touch what the request names, so that
/// nothing about other teams' objects is revealed by a validation message.
///
/// A cross-site form cannot send this content type, so a signed-in browser's session cannot
/// be used to write through the API from another site.
pub struct ApiJson(serde_json::Value);

impl ApiJson {
    /// The id the body gives in `field`, when it gives a valid one.
    pub fn id(&self, field: &str) -> Option<uuid::Uuid> {
        self.0
            .get(field)
            .and_then(serde_json::Value::as_str)
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
    }

    /// The body as `T`; a body that does not fit is a 422.
    pub fn parse<T: DeserializeOwned>(self) -> ApiResult<T> {
        serde_json::from_value(self.0).map_err(|e| {
            ApiError::Unusable(format!(
                "The body does not fit this operation: {e}. Nothing was saved."
            ))
        })
    }
}

fn control_character_at(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::String(s) if has_control_character(s) => Some(path.to_owned()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| control_character_at(v, &format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            let at = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if has_control_character(k) {
                Some(at)
            } else {
                control_character_at(v, &at)
            }
        }),
        _ => None,
    }
}

impl<S: Send + Sync> FromRequest<S> for ApiJson {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json")
                    || (v.starts_with("application/") && v.ends_with("+json"))
            });
        if !json {
            return Err(ApiError::NotJson);
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::TooLarge)?;
        if std::str::from_utf8(&bytes).is_err() {
            return Err(ApiError::Unusable(
                "The body is not valid text (UTF-8). Nothing was saved.".to_owned(),
            ));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| ApiError::BadRequest {
                detail: format!("The body is not valid JSON: {e}."),
                errors: Vec::new(),
            })?;
        if let Some(field) = control_character_at(&value, "") {
            return Err(ApiError::Invalid(vec![FieldProblem {
                field,
                message: "Must not contain control characters (such as NUL); line breaks and tabs are fine".to_owned(),
            }]));
        }
        Ok(ApiJson(value))
    }
}
