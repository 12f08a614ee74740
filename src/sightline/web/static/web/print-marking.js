// "Printed by ... on ...": the time the page is printed, not the time it was opened.
const lines = document.querySelectorAll('[data-printed-by]')

function stamp () {
  const now = new Date()
  const day = now.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' })
  const time = now.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
  lines.forEach(line => { line.textContent = `Printed by ${line.dataset.printedBy} on ${day} at ${time}` })
}

window.addEventListener('beforeprint', stamp)
