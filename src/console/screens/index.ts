// Each screen registers itself here (one import line per screen folder).
import './revenue'
import './orders'
import './catalog'
import './coupons'
import './accounts'
import './fapiao'
import './reconciliation'
import './audit'
