import { describePbx } from './support/pbx-suite';
import { baresip } from './support/user-agents';

// baresip (Debian baresip-core) as a customer's PBX: digest over UDP and TCP, a wrong
// password, source authentication; the carrier is sipp. How it is driven: README.md.
describePbx(baresip);
