// Each screen registers itself here (one import line per screen folder).
import './revenue'
import './orders'
