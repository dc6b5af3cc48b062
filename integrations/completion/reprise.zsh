#compdef reprise
###-begin-reprise-completions-###
#
# yargs command completion script
#
# Installation: reprise completion >> ~/.zshrc
#    or reprise completion >> ~/.zprofile on OSX.
#
_reprise_yargs_completions()
{
  local reply
  local si=$IFS
  IFS=$'
' reply=($(COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" reprise --get-yargs-completions "${words[@]}"))
  IFS=$si
  if [[ ${#reply} -gt 0 ]]; then
    _describe 'values' reply
  else
    _default
  fi
}
if [[ "${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _reprise_yargs_completions "$@"
else
  compdef _reprise_yargs_completions reprise
fi
###-end-reprise-completions-###

