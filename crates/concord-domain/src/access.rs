//! Who may do what: each action is open to some roles, inside the user's region subtree.
//! Checked in one place (the service layer), never per handler.

use crate::lifecycle::ActionKind;
use crate::org::Role;
use crate::region::RegionCode;

/// Whether `role` may perform `action` on a case.
pub fn may(role: Role, action: ActionKind) -> bool {
    use ActionKind as K;
    use Role as R;
    if role == R::Admin {
        return true;
    }
    let roles: &[Role] = match action {
        K::Register => &[R::Clerk, R::Dispatcher, R::GridWorker],
        K::Accept | K::Reject => &[R::Clerk, R::Dispatcher],
        K::Assign | K::Archive => &[R::Dispatcher],
        K::StartMediation | K::ReachAgreement | K::FailMediation | K::Close => {
            &[R::Mediator, R::DepartmentHandler, R::Dispatcher]
        }
        K::EscalateLevel | K::EscalateTier | K::Refer => {
            &[R::Mediator, R::DepartmentHandler, R::Dispatcher]
        }
        K::ApplyConfirmation => &[R::Mediator, R::Dispatcher],
        K::Confirm | K::DenyConfirmation => &[R::Judge],
        K::FollowUp => &[R::FollowUp],
        K::Withdraw => &[R::Clerk, R::Dispatcher, R::Mediator],
        K::Reclassify => &[R::Dispatcher, R::Clerk],
        K::Return => &[R::Mediator, R::DepartmentHandler],
        K::CompleteTask | K::ReturnTask => &[R::DepartmentHandler, R::Mediator, R::Dispatcher],
        K::Merge | K::MergeInto => &[R::Dispatcher, R::Clerk],
        K::Suspend | K::Resume | K::RequestExtension => {
            &[R::Mediator, R::DepartmentHandler, R::Dispatcher]
        }
        K::ApproveExtension | K::DenyExtension => &[R::Leader],
        K::Reopen => &[R::FollowUp, R::Dispatcher],
        K::ScheduleSession | K::RecordSession | K::CancelSession => {
            &[R::Mediator, R::DepartmentHandler, R::Dispatcher]
        }
        K::DraftAgreement => &[R::Mediator, R::Dispatcher],
        K::SignAgreement => &[R::Mediator, R::Clerk, R::Dispatcher],
    };
    roles.contains(&role)
}

/// A user acts in their home region's subtree and nowhere else.
pub fn in_scope(home: &RegionCode, case_region: &RegionCode) -> bool {
    home.contains(case_region)
}

/// Whether `role` may be shown a party's full phone and ID numbers (each time recorded):
/// those who call, summon or identify the parties. Leaders, grid workers and
/// administrators work with the masked values.
pub fn may_see_personal_data(role: Role) -> bool {
    matches!(
        role,
        Role::Clerk
            | Role::Dispatcher
            | Role::Mediator
            | Role::DepartmentHandler
            | Role::FollowUp
            | Role::Judge
    )
}
