import type { DecideRequest } from '../../contract/decide';
import { header, type SipRequest } from '../sip/message';
import type { Remote } from '../sip/remote';
import type { CallEnv } from './call-state';

/**
 * The question a new INVITE puts to the decision: who sent it, to whom, with which identity
 * and credentials.
 */
export function decideRequestFor(
  request: SipRequest,
  source: Remote,
  env: Pick<CallEnv, 'relayId' | 'downProviders'>,
): DecideRequest {
  const pai = header(request, 'p-asserted-identity');
  const auth = header(request, 'proxy-authorization') ?? header(request, 'authorization');
  const privacy = header(request, 'privacy');
  return {
    call_id: header(request, 'call-id') ?? '',
    source: source.clientCertSha256
      ? {
          ip: source.address,
          port: source.port,
          transport: source.transport,
          tls_client_cert_sha256: source.clientCertSha256,
        }
      : { ip: source.address, port: source.port, transport: source.transport },
    request_uri: request.uri,
    from: header(request, 'from') ?? '',
    to: header(request, 'to') ?? '',
    ...(pai ? { p_asserted_identity: pai } : {}),
    ...(auth ? { authorization: auth } : {}),
    ...(privacy ? { privacy } : {}),
    method: request.method,
    relay_id: env.relayId,
    ...(env.downProviders?.length ? { down_providers: [...env.downProviders] } : {}),
  };
}
