//! Choosing a mediator: who may take a case, the parties' own choice (点单) when they
//! agree on one, and otherwise whoever eligible has the fewest open cases.

use crate::case::{NewCase, Party, PartyRole};
use crate::org::Mediator;

/// A mediator may take a case of their expertise (none listed: any) in their region's
/// subtree, while active.
pub fn eligible(m: &Mediator, c: &NewCase) -> bool {
    m.active
        && (m.expertise.is_empty() || m.expertise.contains(&c.category))
        && m.region.contains(&c.region)
}

/// The parties who choose: applicants and respondents (agents choose for no one).
pub fn choosers(parties: &[Party]) -> Vec<usize> {
    parties
        .iter()
        .enumerate()
        .filter(|(_, p)| p.role != PartyRole::Agent)
        .map(|(i, _)| i)
        .collect()
}

/// The mediator every choosing party picked, once they all have and agree.
pub fn agreed(parties: &[Party], picks: &[(usize, i64)]) -> Option<i64> {
    let who = choosers(parties);
    let pick_of = |i: usize| picks.iter().find(|(o, _)| *o == i).map(|(_, m)| *m);
    let first = pick_of(*who.first()?)?;
    who.iter()
        .all(|i| pick_of(*i) == Some(first))
        .then_some(first)
}

/// Among eligible mediators with their open caseloads, the least loaded (ties: the
/// lowest id, so the choice is stable).
pub fn least_loaded(candidates: &[(i64, u32)]) -> Option<i64> {
    candidates
        .iter()
        .min_by_key(|(id, load)| (*load, *id))
        .map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::PartyKind;

    fn party(role: PartyRole, name: &str) -> Party {
        Party {
            role,
            kind: PartyKind::Person,
            name: name.into(),
            phone: None,
            id_number: None,
        }
    }

    #[test]
    fn the_parties_agree_only_when_every_one_picked_the_same() {
        let parties = [
            party(PartyRole::Applicant, "甲"),
            party(PartyRole::Respondent, "乙"),
            party(PartyRole::Agent, "代理人"),
        ];
        assert_eq!(
            agreed(&parties, &[(0, 7)]),
            None,
            "the respondent has not picked"
        );
        assert_eq!(agreed(&parties, &[(0, 7), (1, 8)]), None, "they differ");
        assert_eq!(
            agreed(&parties, &[(0, 7), (1, 7)]),
            Some(7),
            "the agent need not pick"
        );
    }

    #[test]
    fn the_least_loaded_takes_it_and_ties_are_stable() {
        assert_eq!(least_loaded(&[(3, 5), (1, 2), (2, 2)]), Some(1));
        assert_eq!(least_loaded(&[]), None);
    }
}
