import { registerScreen } from '../registry'
import './revenue.css'
import { RevenueScreen } from './RevenueScreen'

registerScreen({ id: 'revenue', title: 'nav.revenue', permission: 'read', component: RevenueScreen })
