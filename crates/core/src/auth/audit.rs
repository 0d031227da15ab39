//! The kinds of security event written to the audit log.

crate::taxonomy::keyed_enum! {
    /// A security event. Keys are stored with each audit log entry and never change.
    pub enum AuditEvent ("audit event") {
        /// The first instance admin was created on a fresh installation.
        SetupCompleted => ("setup_completed", "Setup completed"),
        LoginSucceeded => ("login_succeeded", "Login succeeded"),
        /// A wrong email or password.
        LoginFailed => ("login_failed", "Login failed"),
        /// Too many recent failures: the password was not checked.
        LoginRefused => ("login_refused", "Login refused after too many failures"),
        Logout => ("logout", "Logged out"),
        UserCreated => ("user_created", "User created"),
        /// A membership was added or its role changed.
        RoleChanged => ("role_changed", "Role changed"),
        MembershipRemoved => ("membership_removed", "Membership removed"),
        TokenCreated => ("token_created", "API token created"),
        TokenRevoked => ("token_revoked", "API token revoked"),
        /// An instance admin changed a user's name or instance-admin flag.
        UserUpdated => ("user_updated", "User updated"),
        /// An instance admin set a new password for a user.
        PasswordReset => ("password_reset", "Password reset by an administrator"),
        /// A user changed their own password.
        PasswordChanged => ("password_changed", "Password changed"),
        /// The account can no longer sign in; its sessions ended.
        UserDeactivated => ("user_deactivated", "User deactivated"),
        UserReactivated => ("user_reactivated", "User reactivated"),
    }
}
