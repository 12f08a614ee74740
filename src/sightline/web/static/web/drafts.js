// Saves what is typed into a long form as a draft, a second or so after the typing stops, and puts the
// user's own draft back when they return (the page embeds it). Without JavaScript the form submits as
// it always did; the draft is a safety net, deleted by the server once the form is submitted.
const QUIET_MS = 1500 // save once typing pauses this long
const MOST_MS = 10000 // and at least this often while it goes on
const SKIPPED = new Set(['submit', 'button', 'reset', 'image', 'file', 'password'])

function kept (element) {
  return element.name && !element.disabled && !SKIPPED.has(element.type) && element.name !== 'csrfmiddlewaretoken'
}

function fieldsOf (form) {
  const pairs = []
  for (const element of form.elements) {
    if (!kept(element)) continue
    if ((element.type === 'checkbox' || element.type === 'radio') && !element.checked) continue
    if (element.type === 'select-multiple') {
      for (const option of element.selectedOptions) pairs.push([element.name, option.value])
    } else {
      pairs.push([element.name, element.value])
    }
  }
  return pairs
}

function restore (form, pairs) {
  const values = new Map()
  for (const [name, value] of pairs) values.set(name, [...(values.get(name) || []), value])
  const used = new Map()
  for (const element of form.elements) {
    if (!kept(element)) continue
    const saved = values.get(element.name) || []
    if (element.type === 'checkbox' || element.type === 'radio') {
      element.checked = saved.includes(element.value)
    } else if (element.type === 'select-multiple') {
      for (const option of element.options) option.selected = saved.includes(option.value)
    } else if (values.has(element.name)) {
      const index = used.get(element.name) || 0
      element.value = saved[index] ?? ''
      used.set(element.name, index + 1)
    }
  }
}

function keepDrafts (form, config) {
  const token = form.querySelector('input[name=csrfmiddlewaretoken]').value
  const restored = document.getElementById('sightline-draft-data')
  if (restored) {
    restore(form, JSON.parse(restored.textContent))
    const banner = document.getElementById('sightline-draft-restored').content.cloneNode(true)
    document.querySelector('main').prepend(banner)
  }
  const status = document.createElement('p')
  status.className = 'govuk-body-s sightline-draft-status'
  status.hidden = true
  form.append(status)

  const body = () => JSON.stringify({ path: config.dataset.path, fields: fieldsOf(form) })
  let savedBody = body() // what the server holds (the restored draft), or the untouched form
  let timer = 0
  let firstChange = 0
  let busy = 0
  let chain = Promise.resolve()
  let stopped = false // signed out, or the form is on its way

  async function send (keepalive) {
    const next = body()
    if (stopped || next === savedBody) return
    busy += 1
    try {
      const response = await fetch(config.dataset.saveUrl, {
        method: 'POST',
        body: next,
        keepalive,
        credentials: 'same-origin',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token, Accept: 'application/json' }
      })
      if (response.ok) {
        const answer = await response.json()
        savedBody = next
        status.textContent = `Draft saved at ${answer.saved_at_text}.`
        status.hidden = false
        document.dispatchEvent(new CustomEvent('sightline:active', { detail: { secondsLeft: answer.seconds_left } }))
      } else if (response.status === 401 || response.type === 'opaqueredirect') {
        stopped = true
      }
    } catch (error) {
      // Offline for a moment: the next change tries again.
    } finally {
      busy -= 1
    }
  }

  function save (keepalive = false) {
    window.clearTimeout(timer)
    firstChange = 0
    chain = chain.then(() => send(keepalive))
    return chain
  }

  function changed () {
    if (stopped) return
    const now = Date.now()
    firstChange = firstChange || now
    window.clearTimeout(timer)
    timer = window.setTimeout(save, Math.max(0, Math.min(QUIET_MS, firstChange + MOST_MS - now)))
  }

  form.addEventListener('input', changed)
  form.addEventListener('change', changed)

  let resubmitting = false
  document.addEventListener('submit', (event) => {
    if (event.defaultPrevented || resubmitting) return
    const target = event.target
    const submitter = event.submitter
    if (target === form || target.hasAttribute('data-sightline-discard')) {
      // The server deletes the draft when the form succeeds; a save still under way finishes first.
      window.clearTimeout(timer)
      stopped = true
      if (!busy) return
      event.preventDefault()
    } else if (body() !== savedBody) {
      // Leaving by another form (Sign out, for one): save what is typed first.
      event.preventDefault()
      save()
    } else {
      return
    }
    chain.finally(() => {
      resubmitting = true
      target.requestSubmit(submitter)
      resubmitting = false
    })
  })
  // Leaving by a link, closing the tab: send what is typed now.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden' && !stopped) save(true)
  })
  // The timeout warning ran out: save before the session ends.
  document.addEventListener('sightline:timeout', (event) => {
    event.detail.waitUntil(save().then(() => { stopped = true }))
  })
}

const form = document.querySelector('form[data-sightline-draft]')
const config = document.getElementById('sightline-drafts')
if (form && config) keepDrafts(form, config)
