//! References an action makes to other records, checked before the transition so that a
//! wrong id is refused naming its field (a foreign-key failure would not say which).

use concord_domain::FieldErrors;
use concord_domain::lifecycle::Action;

use crate::{Store, StoreError, with_db};

enum Table {
    Organizations,
    Courts,
    Users,
    Mediators,
}

impl Table {
    fn sql(&self) -> &'static str {
        match self {
            Self::Organizations => "SELECT COUNT(*) FROM organizations WHERE id = $1",
            Self::Courts => "SELECT COUNT(*) FROM organizations WHERE id = $1 AND kind = 'court'",
            Self::Users => "SELECT COUNT(*) FROM users WHERE id = $1",
            Self::Mediators => "SELECT COUNT(*) FROM mediators WHERE id = $1",
        }
    }

    fn what(&self) -> &'static str {
        match self {
            Self::Organizations => "单位",
            Self::Courts => "人民法院",
            Self::Users => "工作人员",
            Self::Mediators => "调解员",
        }
    }
}

impl Store {
    pub(crate) async fn check_references(&self, action: &Action) -> Result<(), StoreError> {
        let mut refs: Vec<(String, Table, i64)> = Vec::new();
        match action {
            Action::Assign {
                lead_unit,
                co_handlers,
                responsible_person,
                mediator,
                ..
            } => {
                refs.push(("lead_unit".into(), Table::Organizations, *lead_unit));
                for (i, c) in co_handlers.iter().enumerate() {
                    refs.push((format!("co_handlers[{i}]"), Table::Organizations, c.unit()));
                    if let Some(u) = c.responsible_person() {
                        refs.push((
                            format!("co_handlers[{i}].responsible_person"),
                            Table::Users,
                            u,
                        ));
                    }
                }
                refs.extend(
                    responsible_person.map(|u| ("responsible_person".into(), Table::Users, u)),
                );
                refs.extend(mediator.map(|m| ("mediator".into(), Table::Mediators, m)));
            }
            Action::StartMediation { mediator: Some(m) } => {
                refs.push(("mediator".into(), Table::Mediators, *m))
            }
            Action::ApplyConfirmation { court: Some(c), .. } => {
                refs.push(("court".into(), Table::Courts, *c))
            }
            _ => {}
        }
        let mut errs = FieldErrors::default();
        for (field, table, id) in refs {
            let n: i64 = with_db!(self, pool => {
                sqlx::query_scalar(table.sql()).bind(id).fetch_one(pool).await?
            });
            if n == 0 {
                errs.push(concord_domain::FieldError::new(
                    field,
                    "unknown_reference",
                    format!("编号为{id}的{}不存在", table.what()),
                ));
            }
        }
        Ok(errs.into_result()?)
    }
}
