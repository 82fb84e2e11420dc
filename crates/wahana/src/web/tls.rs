//! HTTPS served by wahana itself (`wahana serve --tls-cert FILE --tls-key FILE`, rustls): for a
//! server reached over the internet without a reverse proxy, and for ODK Collect's Basic
//! sign-in, which wahana accepts only over HTTPS (`openrosa.rs`).

use anyhow::{Context, anyhow};
use axum::Router;
use axum::extract::ConnectInfo;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// A TLS acceptor from a PEM certificate chain and its PEM private key (PKCS#8, PKCS#1 or
/// SEC1), with an error that names the file and what is wrong with it.
pub fn acceptor(cert: &Path, key: &Path) -> anyhow::Result<TlsAcceptor> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("{}: the certificate file cannot be read", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("{}: not a PEM certificate chain ({e})", cert.display()))?;
    if chain.is_empty() {
        return Err(anyhow!(
            "{}: no certificate (expected PEM blocks `-----BEGIN CERTIFICATE-----`)",
            cert.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        anyhow!(
            "{}: no private key in PEM form (PKCS#8, PKCS#1 or SEC1) ({e})",
            key.display()
        )
    })?;
    // The one cryptography provider compiled in (ring).
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| anyhow!("the certificate and the key do not go together: {e}"))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `app` over TLS on `listener` until `stop` resolves: then no new connection is taken,
/// and the connections in flight finish their requests (the caller bounds how long).
pub async fn serve(
    listener: tokio::net::TcpListener,
    acceptor: TlsAcceptor,
    app: Router,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut stop = std::pin::pin!(stop);
    let connections = Arc::new(());
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "a connection could not be accepted");
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let acceptor = acceptor.clone();
        let app = app.clone().layer(axum::Extension(ConnectInfo(peer)));
        let done = connections.clone();
        tokio::spawn(async move {
            let _held = done;
            let tls = match acceptor.accept(tcp).await {
                Ok(t) => t,
                Err(e) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
            };
            let service = hyper_util::service::TowerToHyperService::new(app);
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .with_upgrades()
                .await
            {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
        });
    }
    // Wait for the connections in flight: each holds a clone of the tracker.
    while Arc::strong_count(&connections) > 1 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_not_pem_are_refused_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("wahana-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        std::fs::write(&cert, "bukan sertifikat").unwrap();
        std::fs::write(&key, "bukan kunci").unwrap();
        let e = acceptor(&cert, &key).err().unwrap().to_string();
        assert!(e.contains("cert.pem"), "{e}");
        let e = acceptor(&dir.join("none.pem"), &key)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("none.pem"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
