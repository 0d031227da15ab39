//! Who makes a change: the one actor type that both the security audit log and a review's
//! history record.

use std::borrow::Cow;

use uuid::Uuid;

/// Who makes a change and from where. The audit log records the user id and the client
/// address; a review's history records the user id and the display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The signed-in user; `None` for the command line.
    pub user_id: Option<Uuid>,
    /// The user's display name at the time of the change, as a history names them.
    pub name: Cow<'static, str>,
    /// The client's address, or where the change came from ("command line").
    pub client_addr: Cow<'static, str>,
}

impl Actor {
    /// The operator at the command line: no user, and "command line" as the origin.
    pub const COMMAND_LINE: Actor = Actor {
        user_id: None,
        name: Cow::Borrowed("command line"),
        client_addr: Cow::Borrowed("command line"),
    };

    /// The user `user_id`, named `name`, acting from `client_addr`.
    #[must_use]
    pub fn user(
        user_id: Uuid,
        name: impl Into<Cow<'static, str>>,
        client_addr: impl Into<Cow<'static, str>>,
    ) -> Actor {
        Actor {
            user_id: Some(user_id),
            name: name.into(),
            client_addr: client_addr.into(),
        }
    }
}
