import { describePbx } from './support/pbx-suite';
import { linphone } from './support/user-agents';

// linphonec (Debian linphone-cli) as a customer's PBX: digest (SHA-256, the relay's default
// challenges) over UDP and TCP, a wrong password, source authentication; the carrier is sipp.
describePbx(linphone);
