//! The use cases: each public method is one thing a client can ask for, run as one store transaction over
//! domain rules. `soap`, `web` and `cli` call these and nothing below them.

use std::sync::{Arc, OnceLock};

use crate::config::Config;
use crate::domain::Millis;
use crate::store::Store;

/// Where time comes from: the system clock in production, a settable one in tests.
pub type Clock = Arc<dyn Fn() -> Millis + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as Millis)
            .unwrap_or(0)
    })
}

/// Everything a request needs: validated config, the store and the clock.
pub struct App {
    pub config: Config,
    pub store: Store,
    clock: Clock,
    /// The public base URL (`https://host:port`), known once the HTTPS listener is bound.
    product_url: OnceLock<String>,
}

impl App {
    pub fn new(config: Config, store: Store, clock: Clock) -> App {
        App {
            config,
            store,
            clock,
            product_url: OnceLock::new(),
        }
    }

    pub fn now(&self) -> Millis {
        (self.clock)()
    }

    /// Record the address the HTTPS listener really bound (port 0 in tests picks a free one).
    pub fn set_product_url(&self, url: String) {
        let _ = self.product_url.set(url);
    }

    /// `{{carbon.product-url}}`: the HTTPS base URL clients reach us at.
    pub fn product_url(&self) -> String {
        self.product_url
            .get()
            .cloned()
            .unwrap_or_else(|| self.config.product_url())
    }
}
