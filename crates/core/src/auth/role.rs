//! Team roles, the permissions they grant, and a user's standing toward one team.

use serde::Serialize;

crate::taxonomy::keyed_enum! {
    /// A member's role in one team; each role allows everything the one before it allows.
    pub enum Role ("role") {
        /// Reads the team's defects, reviews, actions and reports.
        Viewer => ("viewer", "Viewer"),
        /// Also writes defects, reviews and actions.
        Editor => ("editor", "Editor"),
        /// Also manages the team's members, components and releases.
        TeamAdmin => ("team_admin", "Team admin"),
    }
}

/// Something a user may do within one team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the team, its defects, reviews, actions and reports.
    Read,
    /// Create and edit the team's defects.
    WriteDefects,
    /// Create and edit the team's escape reviews.
    WriteReviews,
    /// Create and edit the team's improvement actions.
    WriteActions,
    /// Add and remove members and change their roles.
    ManageMembers,
    /// Create and edit the team's components and releases.
    ManageCatalog,
}

impl Permission {
    /// Every permission, in declaration order.
    pub const ALL: &'static [Permission] = &[
        Permission::Read,
        Permission::WriteDefects,
        Permission::WriteReviews,
        Permission::WriteActions,
        Permission::ManageMembers,
        Permission::ManageCatalog,
    ];
}

impl Role {
    /// True when this role grants `permission`: viewers only read; editors also write defects,
    /// reviews and actions; team admins also manage members and the catalog.
    #[must_use]
    pub const fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::WriteDefects | Permission::WriteReviews | Permission::WriteActions => {
                matches!(self, Role::Editor | Role::TeamAdmin)
            }
            Permission::ManageMembers | Permission::ManageCatalog => {
                matches!(self, Role::TeamAdmin)
            }
        }
    }
}

/// A user's standing toward one team, decided once per request.
///
/// Guarantees: an instance admin can do everything on every team, whatever their membership;
/// a member can do exactly what their role allows; a non-member can do nothing, not even see
/// the team (callers answer 404 so that a team's existence does not leak).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// An administrator of the whole instance.
    InstanceAdmin,
    /// A member of the team with this role.
    Member(Role),
    /// Neither an instance admin nor a member.
    NotMember,
}

impl Access {
    /// The standing of a user who is (or is not) an instance admin and holds `membership` in
    /// the team, if any.
    #[must_use]
    pub const fn for_user(is_instance_admin: bool, membership: Option<Role>) -> Access {
        match (is_instance_admin, membership) {
            (true, _) => Access::InstanceAdmin,
            (false, Some(role)) => Access::Member(role),
            (false, None) => Access::NotMember,
        }
    }

    /// True when this standing grants `permission` on the team.
    #[must_use]
    pub const fn can(self, permission: Permission) -> bool {
        match self {
            Access::InstanceAdmin => true,
            Access::Member(role) => role.allows(permission),
            Access::NotMember => false,
        }
    }

    /// True when the team is visible at all; when false, callers answer 404, not 403.
    #[must_use]
    pub const fn can_see(self) -> bool {
        self.can(Permission::Read)
    }

    /// The team role, when the standing comes from a membership (not from being an admin).
    #[must_use]
    pub const fn role(self) -> Option<Role> {
        match self {
            Access::Member(role) => Some(role),
            Access::InstanceAdmin | Access::NotMember => None,
        }
    }
}
