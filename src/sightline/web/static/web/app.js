// Starts every GOV.UK Frontend component on the page (error summary focus, password reveal, menus...).
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()
