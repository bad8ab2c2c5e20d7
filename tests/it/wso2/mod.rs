//! WSO2's own tests of this feature and its neighbours, ported to run against forcereset: one module per WSO2
//! test class, each check naming its source file and tag, run for every release profile the check applies to.

mod account_lock;
mod admin_forced_password_reset;
mod basic_authenticator;
mod connector_config;
mod email_templates_rest;
mod identity_governance;
mod identity_governance_rest;
mod oauth2_service_resource_owner;
mod oauth_dcrm;
mod password_expiry;
mod pre_update_password_action;
mod remote_user_store_manager;
mod scim2_group;
mod scim2_me;
mod scim2_user;
mod scim_kit;
mod scim_user_update;
mod store_kit;
mod user_profile_admin;
mod user_profile_mgt;
