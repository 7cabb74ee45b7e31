//! The classifier learns from the center: the model in use, retraining on the cases a
//! dispatcher confirmed (one command, and on its own as confirmations accumulate).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use concord_store::{Store, StoreError};
use concord_text::classify::{Model, TrainOptions, starter_examples};

/// Retrain by itself once this many more cases have been confirmed.
pub const RETRAIN_EVERY: i64 = 100;
/// How often the server looks.
const CHECK_EVERY: Duration = Duration::from_secs(300);

/// The model in use, swapped whole when a new one is trained.
#[derive(Clone, Debug)]
pub struct Classifier {
    current: Arc<RwLock<(Arc<Model>, i64)>>,
}

impl Classifier {
    /// The newest model in the database, or the built-in one.
    pub async fn load(store: &Store) -> Result<Self, StoreError> {
        let (model, n) = match store.latest_model().await? {
            Some((m, n)) => (m, n),
            None => (Model::builtin().clone(), 0),
        };
        Ok(Self {
            current: Arc::new(RwLock::new((Arc::new(model), n))),
        })
    }

    pub fn model(&self) -> Arc<Model> {
        self.current.read().expect("classifier lock").0.clone()
    }

    /// How many of the center's cases the model in use learned from.
    pub fn center_examples(&self) -> i64 {
        self.current.read().expect("classifier lock").1
    }

    fn replace(&self, model: Model, n: i64) {
        *self.current.write().expect("classifier lock") = (Arc::new(model), n);
    }
}

/// What a retraining did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Retrained {
    pub center_examples: i64,
    pub starter_examples: usize,
    pub model_id: i64,
}

/// Trains on the starter examples and every confirmed case, stores the model and puts
/// it in use.
pub async fn retrain(store: &Store, classifier: &Classifier) -> Result<Retrained, StoreError> {
    let mut examples = starter_examples();
    let starter = examples.len();
    let center = store.confirmed_examples().await?;
    let n = center.len() as i64;
    examples.extend(center);
    let model =
        tokio::task::spawn_blocking(move || Model::train(&examples, &TrainOptions::default()))
            .await
            .expect("training task");
    let model_id = store.save_model(&model, n).await?;
    classifier.replace(model, n);
    Ok(Retrained {
        center_examples: n,
        starter_examples: starter,
        model_id,
    })
}

/// Retrains whenever RETRAIN_EVERY more cases have been confirmed since the model in use.
pub async fn keep_learning(store: Store, classifier: Classifier) {
    loop {
        tokio::time::sleep(CHECK_EVERY).await;
        match store.confirmed_count().await {
            Ok(n) if n - classifier.center_examples() >= RETRAIN_EVERY => {
                match retrain(&store, &classifier).await {
                    Ok(r) => tracing::info!(examples = r.center_examples, "classifier retrained"),
                    Err(e) => tracing::error!(error = %e, "classifier retraining failed"),
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot count confirmed cases"),
        }
    }
}
